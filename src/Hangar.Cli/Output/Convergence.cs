using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Spectre.Console;

namespace Hangar.Cli.Output;

/// <summary>
/// Follows the fleet (through the watch stream, no polling) until every VM has reached what the control plane last
/// asked of it, showing progress as it goes: a live table on a terminal, one line per change otherwise.
/// </summary>
public static class Convergence
{
    public enum Outcome { Converged, Unhealthy, TimedOut }

    /// <summary>
    /// Waits until each VM's agent has acted on the last revision that changed it and the VM is where it should be: running and
    /// healthy when it should run, stopped otherwise; VMs removed from the fleet gone. <paramref name="only"/>
    /// limits the wait to one VM.
    /// </summary>
    public static async Task<(Outcome, FleetStatus)> WaitAsync(HangarClient client, Terminal terminal, TimeSpan timeout, string? only, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        FleetStatus? last = null;
        var printed = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (terminal.Interactive)
            {
                Outcome? outcome = null;
                await terminal.Ansi.Live(new Table()).AutoClear(true).StartAsync(async live =>
                {
                    await foreach (var status in client.WatchAsync(cts.Token))
                    {
                        last = status;
                        live.UpdateTarget(StatusView.Table(status));
                        if (Evaluate(status, only) is { } done) { outcome = done; return; }
                    }
                });
                if (outcome is { } result) return (result, last!);
            }
            else
            {
                await foreach (var status in client.WatchAsync(cts.Token))
                {
                    last = status;
                    foreach (var vm in status.Vms.Where(v => only is null || v.Name == only))
                    {
                        var line = $"{vm.Name}: {StatusView.Phase(vm.Phase)}" + (vm.Phase == VmPhase.Running ? $", {StatusView.Health(vm.Health)}" : "") +
                                   (vm.Detail is { } d ? $" ({d})" : "");
                        if (printed.GetValueOrDefault(vm.Name) != line)
                        {
                            printed[vm.Name] = line;
                            terminal.Progress(line);
                        }
                    }
                    if (Evaluate(status, only) is { } done) return (done, status);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
        return (Outcome.TimedOut, last ?? await client.GetFleetAsync(ct));
    }

    /// <summary>Null while still converging.</summary>
    public static Outcome? Evaluate(FleetStatus status, string? only)
    {
        if (only is null && status.Rollout is { State: RolloutState.Running }) return null; // the health gate has not decided yet
        var unhealthy = false;
        foreach (var vm in status.Vms.Where(v => only is null || v.Name == only))
        {
            // A VM has converged once its agent acted on the last revision that changed it (servers before protocol
            // version 3 send no DesiredRevision: then every VM must be at the current revision).
            if (vm.ObservedRevision < (vm.DesiredRevision > 0 ? vm.DesiredRevision : status.Revision)) return null;
            var removed = vm.Removed; // reported by its agent, no longer in the spec
            if (removed || !vm.DesiredRunning)
            {
                if (vm.Phase is not (VmPhase.Stopped or VmPhase.Pending)) return null;
                if (removed) return null; // wait until the agent lets go of it
                continue;
            }
            switch (vm.Phase)
            {
                case VmPhase.Failed:
                    unhealthy = true;
                    break;
                case VmPhase.Stopped when vm.LastError is not null:
                    unhealthy = true; // exited and its restart policy keeps it stopped
                    break;
                case VmPhase.Running when vm.Health == HealthState.Healthy:
                    break;
                case VmPhase.Running when vm.Health == HealthState.Unhealthy:
                    unhealthy = true;
                    break;
                default:
                    return null;
            }
        }
        return unhealthy ? Outcome.Unhealthy : Outcome.Converged;
    }
}
