using Hangar.Protocol.Api;
using Hangar.Spec;
using Hangar.State;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// The fleet's shared, mutable state, in one place for the parts of the control plane that act on it. Two locks
/// guard it, the same two the fleet always had:
/// <list type="bullet">
/// <item><see cref="Writes"/> serializes every change (apply, rollback, a rollout's verdict, operator actions, gc):
/// its holder is the only writer, so it may read the fields without <see cref="Gate"/>, and it persists a change
/// before it publishes it.</item>
/// <item><see cref="Gate"/> is held for every write of a field and for every read by a part that does not hold
/// <see cref="Writes"/> (the status view, desired state, the rollout runner), so a reader sees one consistent
/// fleet. It is never held across an await. The agent registry's sessions are guarded by the same gate.</item>
/// </list>
/// </summary>
internal sealed class FleetState
{
    public SemaphoreSlim Writes { get; } = new(1, 1);
    public Lock Gate { get; } = new();

    /// <summary>The current generation; null until something was applied.</summary>
    public GenerationRecord? Current { get; set; }

    /// <summary>The current generation's spec (empty until something was applied).</summary>
    public FleetSpec Spec { get; set; } = new(ValueList<VmSpec>.Empty, ValueList<ImageSpec>.Empty);

    /// <summary>What operators asked of single VMs (stopped by hand, restart requests), by VM name.</summary>
    public IReadOnlyDictionary<string, VmAdminRecord> Admin { get; set; } = new Dictionary<string, VmAdminRecord>();

    /// <summary>Whether the fleet is up or down (and, when down, whether disks are purged).</summary>
    public FleetAdminRecord FleetAdmin { get; set; } = new(true, false);

    /// <summary>
    /// The number of the last desired state sent. Revisions start from the clock so that they keep growing across
    /// control-plane restarts: an agent that still reports a revision from before a restart never looks converged
    /// on a new one by accident.
    /// </summary>
    public long Revision { get; set; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    /// <summary>The agent each VM is placed on, as persisted (<see cref="PlacementBook"/>); a VM not listed waits for one.</summary>
    public IReadOnlyDictionary<string, string> Placement { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// VMs that moved (a changed placement, a drain) and the agent they left, which is sent them as stopped until it
    /// reports them stopped, so a VM never runs on two hosts whatever the fleet's orphan policy. In memory only: after a
    /// control-plane restart the agent left behind treats such a VM as an orphan.
    /// </summary>
    public Dictionary<string, string> Leaving { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// VMs a drain holds stopped on the agent they are on, before it moves them (<see cref="AgentDrain"/>): sent as
    /// <c>running: false</c> whatever the operator's word. In memory only: after a control-plane restart such a VM runs
    /// where its persisted placement says.
    /// </summary>
    public HashSet<string> DrainHeld { get; } = new(StringComparer.Ordinal);

    /// <summary>The last <c>hangar gc</c> request; in memory only: a request is acted on at once or not at all.</summary>
    public long DiskGc { get; set; }

    /// <summary>The current generation's way through the health gate, as the status shows it.</summary>
    public RolloutInfo? Rollout { get; set; }

    public long CurrentGeneration => Current?.Number ?? 0;

    /// <summary>The spec's VMs by the agent they are placed on (<see cref="Spec"/> and <see cref="Placement"/> indexed); under the gate.</summary>
    public PlacementIndex Placed => field ??= new PlacementIndex(this);

    /// <summary>This control plane among the replicas of its store (alone on SQLite: it always leads).</summary>
    public Replicas.ReplicaLink Replicas { get; init; } = Hangar.ControlPlane.Replicas.ReplicaLink.Alone(Environment.MachineName);

    /// <summary>
    /// The next revision, under the gate. Alone, one more than the last. With replicas, also at least the clock in
    /// microseconds, so that an agent that moves to another replica is sent a higher revision than the one it has
    /// (the replicas' clocks must agree to better than the time an agent takes to reconnect: seconds).
    /// </summary>
    public long NextRevision() =>
        Revision = Replicas.IsShared ? Math.Max(Revision + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000) : Revision + 1;

    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<ChangeSubscription> _subscriptions = [];

    /// <summary>A new record of the VMs that change from now on (its first <see cref="ChangeSubscription.Take"/> says: all).</summary>
    public ChangeSubscription Subscribe()
    {
        var subscription = new ChangeSubscription(this);
        lock (Gate) _subscriptions.Add(subscription);
        return subscription;
    }

    internal void Unsubscribe(ChangeSubscription subscription)
    {
        lock (Gate) _subscriptions.Remove(subscription);
    }

    /// <summary>VM <paramref name="name"/>'s status changed (call, then <see cref="NotifyChanged"/>).</summary>
    public void MarkChanged(string name)
    {
        lock (Gate)
            foreach (var subscription in _subscriptions) subscription.Add(name);
    }

    /// <summary>An agent came or went: watchers get the agent list with their next line.</summary>
    public void MarkAgentsChanged()
    {
        lock (Gate)
            foreach (var subscription in _subscriptions) subscription.AddAgents();
    }

    /// <summary>Anything may have changed (a new spec, an agent came or went).</summary>
    public void MarkAllChanged()
    {
        lock (Gate)
            foreach (var subscription in _subscriptions) subscription.AddAll();
    }

    /// <summary>Whether <paramref name="vm"/> should run: the fleet is up, no drain holds it stopped, and the operator's word, else autostart.</summary>
    public bool ShouldRun(VmSpec vm) => FleetAdmin.Active && !DrainHeld.Contains(vm.Name) && (Admin.GetValueOrDefault(vm.Name)?.Running ?? vm.Autostart);

    /// <summary>Completes at the next <see cref="NotifyChanged"/>.</summary>
    public Task WhenChangedAsync(CancellationToken ct)
    {
        Task changed;
        lock (Gate) changed = _changed.Task;
        return changed.WaitAsync(ct);
    }

    /// <summary>Wakes everyone waiting in <see cref="WhenChangedAsync"/> (watchers, the rollout runner, gc).</summary>
    public void NotifyChanged()
    {
        TaskCompletionSource previous;
        lock (Gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        previous.TrySetResult();
    }
}
