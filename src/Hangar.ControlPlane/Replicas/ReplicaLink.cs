using Hangar.State;
using Hangar.State.Replication;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

/// <summary>
/// This control plane among the replicas that share its store: its id, whether it leads, who does, which replicas are
/// alive and which agents are connected to another one. A control plane on SQLite is <see cref="Alone"/>: it always
/// leads and publishes nothing. The parts of the fleet read it through <c>FleetState.Replicas</c>.
/// </summary>
internal sealed partial class ReplicaLink
{
    private readonly IChangeFeed? _feed;
    private readonly ILogger? _logger;
    private volatile bool _leading;
    private volatile string? _leader;
    private volatile IReadOnlySet<string> _live = new HashSet<string>();
    private readonly Dictionary<string, string> _remoteAgents = new(StringComparer.Ordinal);

    private ReplicaLink(string id, IChangeFeed? feed, ILogger? logger)
    {
        Id = id;
        _feed = feed;
        _logger = logger;
        _leading = feed is null;
        _leader = feed is null ? id : null;
    }

    /// <summary>The only control plane of its store: it leads, and there is nobody to tell about a change.</summary>
    public static ReplicaLink Alone(string id) => new(id, null, null);

    /// <summary>One of the replicas on a shared store; it follows until <see cref="LeaderElection"/> makes it lead.</summary>
    public static ReplicaLink Shared(string id, IChangeFeed feed, ILogger logger) => new(id, feed, logger);

    /// <summary>This replica's id (the server's <c>--replica-id</c>, else host and process id).</summary>
    public string Id { get; }

    /// <summary>Whether other control planes may share the store (PostgreSQL).</summary>
    public bool IsShared => _feed is not null;

    /// <summary>Whether this replica leads: it alone runs health gates, records their verdicts, and places VMs.</summary>
    public bool IsLeader => _leading;

    /// <summary>The replica that leads, as last seen; null while none does.</summary>
    public string? Leader => _leader;

    internal void SetLeading(bool leading, string? leader)
    {
        _leading = leading;
        _leader = leader;
    }

    internal void SetLive(IReadOnlySet<string> live) => _live = live;

    /// <summary>Whether agent <paramref name="agent"/> is connected to another replica that is alive. Under the fleet's gate.</summary>
    public bool IsConnectedElsewhere(string agent) =>
        _remoteAgents.TryGetValue(agent, out var replica) && replica != Id && _live.Contains(replica);

    /// <summary>Whether replica <paramref name="replica"/> is alive (its change feed's session answers), as last read.</summary>
    public bool IsLive(string replica) => _live.Contains(replica);

    /// <summary>The other replicas that are alive, as last read.</summary>
    public IReadOnlyList<string> OthersLive() => _live.Where(r => r != Id).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The other replica <paramref name="agent"/> is connected to, as its notices said; null for none. Under the fleet's gate.</summary>
    public string? ReplicaOf(string agent) => _remoteAgents.TryGetValue(agent, out var replica) && replica != Id ? replica : null;

    /// <summary>The agents connected to <paramref name="replica"/>, as its notices said. Under the fleet's gate.</summary>
    public IReadOnlyList<string> AgentsOf(string replica) =>
        _remoteAgents.Where(a => a.Value == replica).Select(a => a.Key).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Records that <paramref name="agent"/> connected to, or left, <paramref name="replica"/>. Under the fleet's gate.</summary>
    internal void SetRemoteAgent(string agent, string replica, bool connected)
    {
        if (connected) _remoteAgents[agent] = replica;
        else if (_remoteAgents.GetValueOrDefault(agent) == replica) _remoteAgents.Remove(agent);
    }

    /// <summary>
    /// Tells the other replicas that this one changed <paramref name="kind"/> in the store. A notice that cannot be sent
    /// is logged, not thrown: the change is stored, and the others read it at their next reload.
    /// </summary>
    public async Task PublishAsync(StoreChangeKind kind, string? subject = null, CancellationToken ct = default)
    {
        if (_feed is null) return;
        try
        {
            await _feed.PublishAsync(new StoreChange(kind, Id, subject), ct);
        }
        catch (StateStoreException e)
        {
            Log.PublishFailed(_logger!, kind, e.InnerException?.Message ?? e.Message);
        }
        catch (ObjectDisposedException)
        {
            // The store closed under it: the server stops (its last events, an agent's goodbye). Nobody is told, as
            // after any lost notice the other replicas re-read what they hold; the stop must not fail over it.
        }
    }
}
