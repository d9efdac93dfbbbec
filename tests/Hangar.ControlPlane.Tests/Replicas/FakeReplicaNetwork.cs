using System.Threading.Channels;
using Hangar.State.Replication;

namespace Hangar.ControlPlane.Tests.Replicas;

/// <summary>
/// What PostgreSQL gives replicas, in memory, for control planes in one test process: the leader lock (one holder; a
/// holder can be made to lose it, as when its session dies), notices to every other listener, shared agent reports.
/// The replicas' other state is a real SQLite file they share.
/// </summary>
internal sealed class FakeReplicaNetwork
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Channel<StoreChange>> _listeners = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Agent, string Vm), (ObservedRow Row, long Seq)> _rows = [];
    private readonly Dictionary<string, (string Replica, string Report, long Seq)> _heads = new(StringComparer.Ordinal);
    private long _seq;

    public string? Holder { get; private set; }

    /// <summary>The holder's session dies: it no longer holds the lock, and nobody does until the next try.</summary>
    public void Revoke()
    {
        lock (_gate) Holder = null;
    }

    public bool TryAcquire(string replica)
    {
        lock (_gate)
        {
            Holder ??= replica;
            return Holder == replica;
        }
    }

    public void Release(string replica)
    {
        lock (_gate) if (Holder == replica) Holder = null;
    }

    public IReadOnlySet<string> Live()
    {
        lock (_gate) return _listeners.Keys.ToHashSet(StringComparer.Ordinal);
    }

    public Channel<StoreChange> Listen(string replica)
    {
        var channel = Channel.CreateUnbounded<StoreChange>();
        lock (_gate) _listeners[replica] = channel;
        return channel;
    }

    public void StopListening(string replica)
    {
        lock (_gate) _listeners.Remove(replica);
    }

    public void Publish(StoreChange change)
    {
        lock (_gate)
            foreach (var (replica, channel) in _listeners)
                if (replica != change.Replica) channel.Writer.TryWrite(change);
    }

    public void Write(ObservedReport report)
    {
        lock (_gate)
        {
            foreach (var row in report.Vms) _rows[(report.Agent, row.Vm)] = (row, ++_seq);
            if (report.WholeVms is { } whole)
                foreach (var key in _rows.Keys.Where(k => k.Agent == report.Agent && !whole.Contains(k.Vm) && _rows[k].Row.Report is not null).ToArray())
                    _rows[key] = (_rows[key].Row with { Report = null }, ++_seq);
            _heads[report.Agent] = (report.Replica, report.AgentReport, ++_seq);
        }
        Publish(new StoreChange(StoreChangeKind.Observed, report.Replica, report.Agent));
    }

    public ObservedRead Read(string agent, long afterSeq)
    {
        lock (_gate)
        {
            var rows = _rows.Where(r => r.Key.Agent == agent && r.Value.Seq > afterSeq).OrderBy(r => r.Value.Seq).ToArray();
            if (!_heads.TryGetValue(agent, out var head)) return new ObservedRead(null, null, [], afterSeq);
            return new ObservedRead(head.Replica, head.Report, rows.Select(r => r.Value.Row).ToArray(),
                Math.Max(head.Seq, rows.Select(r => r.Value.Seq).DefaultIfEmpty(afterSeq).Max()));
        }
    }
}
