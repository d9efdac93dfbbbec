using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// The health gate of one generation: decides, from successive fleet statuses, whether every VM the generation
/// changed is running and healthy, has failed, or is still on its way. Pure: the caller feeds it statuses and time.
/// </summary>
/// <param name="Revision">The first desired-state revision that carried the generation; older reports do not count.
/// With replicas it is 0: revisions are numbered by each replica, so the gate goes by the generation an agent reports a
/// VM converged on (a VM counts once it finished acting on a desired state of this generation or a later one).</param>
public sealed record RolloutGate(long Generation, long Revision, IReadOnlyList<string> Vms, DateTimeOffset Deadline)
{
    /// <summary>VMs that are not yet healthy at this generation.</summary>
    public IReadOnlyList<string> Waiting(FleetStatus status)
    {
        var byName = ByName(status);
        return Vms.Where(name => byName.GetValueOrDefault(name) is not { } vm || !IsHealthy(vm)).ToArray();
    }

    /// <summary>Null while waiting; otherwise success (empty reason) or the reason it failed.</summary>
    public (bool Passed, string? Reason)? Evaluate(FleetStatus status, FleetSpec spec, DateTimeOffset now)
    {
        var byName = ByName(status);
        return Evaluate(Vms, byName.GetValueOrDefault, spec, now);
    }

    /// <summary>
    /// The same verdict from the VMs that were not yet healthy (<paramref name="candidates"/>, in the gate's order) and
    /// a lookup of their statuses: VMs found healthy before need not be looked at again, so a gate step costs the VMs
    /// that changed, not the fleet (<see cref="RolloutRunner"/> keeps the candidates).
    /// </summary>
    public (bool Passed, string? Reason)? Evaluate(IEnumerable<string> candidates, Func<string, VmStatus?> find, FleetSpec spec, DateTimeOffset now)
    {
        var waiting = new List<string>();
        Func<string, VmStatus?> byName = find;
        foreach (var name in candidates)
        {
            var vm = find(name);
            if (vm is null || !Reached(vm)) { waiting.Add(name); continue; }
            if (IsHealthy(vm)) continue;
            var failure = vm switch
            {
                { Phase: VmPhase.Running, Health: HealthState.Unhealthy } => $"its health check ({FleetDiff.HealthText(spec.FindVm(name)?.Health)}) did not pass"
                    + (vm.HealthDetail is { Length: > 0 } why ? $": {why}" : ""),
                // health.restart: true stops an unhealthy VM at once; the gate may never see it running unhealthy.
                { Phase: VmPhase.Stopping or VmPhase.Backoff, BackoffCause: RestartCause.Unhealthy } =>
                    $"its health check ({FleetDiff.HealthText(spec.FindVm(name)?.Health)}) did not pass, and it is being restarted: {vm.LastError}",
                { Phase: VmPhase.Failed } => $"it could not start: {vm.LastError}",
                { Phase: VmPhase.Stopped, LastError: { } error } => $"it exited and stays stopped: {error}",
                _ => null,
            };
            if (failure is not null) return (false, Reason(name, failure, vm));
            waiting.Add(name);
        }
        if (waiting.Count == 0) return (true, null);
        if (now < Deadline) return null;
        var first = byName(waiting[0]);
        return (false, Reason(waiting[0], $"it was not healthy within the confirm timeout (phase {first?.Phase.ToString().ToLowerInvariant() ?? "unknown"}, health {first?.Health.ToString().ToLowerInvariant() ?? "unknown"})", first));
    }

    /// <summary>The status's VMs by name (the first of a name, as a linear search finds it); one lookup per gated VM
    /// instead of a scan keeps a gate step linear in the fleet's size.</summary>
    private static Dictionary<string, VmStatus> ByName(FleetStatus status)
    {
        var byName = new Dictionary<string, VmStatus>(status.Vms.Count, StringComparer.Ordinal);
        foreach (var vm in status.Vms) byName.TryAdd(vm.Name, vm);
        return byName;
    }

    /// <summary>Running and healthy at the gate's revision and generation or later.</summary>
    public bool IsHealthy(VmStatus vm) =>
        Reached(vm) && vm.Phase == VmPhase.Running && vm.Health == HealthState.Healthy;

    /// <summary>Whether the agent finished acting on a desired state of this generation (or a later one) for the VM.</summary>
    private bool Reached(VmStatus vm) => vm.ObservedRevision >= Revision && vm.ObservedRevision >= 0 && vm.Generation >= Generation;

    private static string Reason(string name, string what, VmStatus? vm)
    {
        var reason = $"VM {name}: {what}";
        if (vm?.ConsoleTail is { Count: > 0 } tail)
            reason += "; last console lines:\n  " + string.Join("\n  ", tail);
        return reason;
    }
}
