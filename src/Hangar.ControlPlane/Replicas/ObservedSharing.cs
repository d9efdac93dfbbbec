using System.Text.Json;
using System.Threading.Channels;
using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.State;
using Hangar.State.Replication;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

/// <summary>
/// Shares what agents report between replicas (<see cref="IObservedStore"/>): the replica an agent is connected to
/// writes every frame it takes (the VMs the frame changed, each with the revision at which what is asked of it last
/// changed here, and the rest of the report), in order, from one writer task; the others read the rows written since
/// their last read when the change feed says so, and apply them to their copy of that agent's report, so that the
/// leader's gate and every replica's status and watch see it. A frame costs the VMs it carries on both sides.
/// </summary>
/// <remarks>
/// <code>
///  agent ──observed──► replica B: ObservedStateIntake ──Share──► writer ──INSERT … ; NOTIFY 'observed B agent'──► PostgreSQL
///  replica A: ReplicaSync ──ReadAsync(agent)──► rows after A's last seq ──► A's ObservedAgentState (as a delta)
/// </code>
/// Events (a VM started, turned unhealthy) are recorded once, by the replica the agent reports to.
/// </remarks>
internal sealed partial class ObservedSharing(FleetState state, AgentRegistry agents, IObservedStore store, ILogger logger) : IAsyncDisposable
{
    private readonly Channel<ObservedReport> _writes = Channel.CreateUnbounded<ObservedReport>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal); // per agent: the last seq read
    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Task _writer = Task.CompletedTask;

    public void Start() => _writer = Task.Run(() => WriteAsync(_stopping.Token));

    /// <summary>
    /// Shares the frame just applied to <paramref name="session"/>'s report (its <paramref name="changes"/>; the last
    /// frame of a whole report when <paramref name="whole"/>). Called under the fleet's gate, in the order of the frames.
    /// </summary>
    public void Share(AgentSession session, IReadOnlyList<(ObservedVm? Before, ObservedVm? After)> changes, bool whole)
    {
        var rows = new ObservedRow[changes.Count];
        for (var i = 0; i < changes.Count; i++)
        {
            var (before, after) = changes[i];
            var name = (after ?? before)!.Name;
            rows[i] = new ObservedRow(name, after is null ? null : JsonSerializer.Serialize(after, HangarJson.Info<ObservedVm>()), session.Desired.RevisionOf(name));
        }
        var observed = session.Observed;
        var head = new ObservedDeltaMessage(observed.Generation, observed.Revision, [], [], observed.Orphans, observed.DiskGc);
        _writes.Writer.TryWrite(new ObservedReport(session.Name, state.Replicas.Id, JsonSerializer.Serialize(head, HangarJson.Info<ObservedDeltaMessage>()), rows,
            whole ? observed.Vms.Keys.ToArray() : null));
    }

    private async Task WriteAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var report in _writes.Reader.ReadAllAsync(ct))
            {
                try { await store.WriteAsync(report, ct); }
                catch (StateStoreException e) { Log.WriteFailed(logger, report.Agent, e.InnerException?.Message ?? e.Message); }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>Reads what another replica shared of <paramref name="agent"/> since the last read (nothing while the agent is connected here).</summary>
    public async Task ReadAsync(string agent, CancellationToken ct)
    {
        await _reading.WaitAsync(ct);
        try
        {
            if (agents.Find(agent) is not { Connected: false } session) return; // its own reports here are newer
            var read = await store.ReadAsync(agent, _seen.GetValueOrDefault(agent), ct);
            _seen[agent] = read.Seq;
            if (read.AgentReport is null || read.Replica == state.Replicas.Id && read.Vms.Count == 0) return;
            var head = JsonSerializer.Deserialize(read.AgentReport, HangarJson.Info<ObservedDeltaMessage>())!;
            var changed = new List<ObservedVm>(read.Vms.Count);
            var removed = new List<string>();
            foreach (var row in read.Vms)
                if (row.Report is null) removed.Add(row.Vm);
                else changed.Add(JsonSerializer.Deserialize(row.Report, HangarJson.Info<ObservedVm>())!);
            lock (state.Gate)
            {
                if (session.Connected) return; // it connected here meanwhile
                session.SharedFrom = read.Replica;
                foreach (var (before, after) in session.Observed.Apply(head with { Changed = changed, Removed = removed }))
                    state.MarkChanged((after ?? before)!.Name);
                foreach (var row in read.Vms)
                    if (row.Report is null) session.SharedDesired.Remove(row.Vm);
                    else session.SharedDesired[row.Vm] = row.DesiredRevision;
            }
            state.NotifyChanged();
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>Reads every agent's shared report since the last read (after the change feed reconnected, or at start).</summary>
    public async Task ReadAllAsync(CancellationToken ct)
    {
        foreach (var session in agents.Snapshot())
            if (!session.Connected) await ReadAsync(session.Name, ct);
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _writer;
        await store.DisposeAsync();
        _stopping.Dispose();
    }
}
