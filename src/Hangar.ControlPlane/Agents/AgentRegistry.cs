using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Agent;
using Hangar.State;
using Hangar.State.Replication;

namespace Hangar.ControlPlane.Agents;

/// <summary>
/// The agents the control plane knows, connected or not, with the last state each reported. The only owner of that
/// list: the other parts read it through <see cref="Snapshot"/>. It shares the fleet's <see cref="FleetState.Gate"/>
/// (a <see cref="Lock"/> may be entered again by its holder), so a part that holds the gate sees agents and spec
/// as one consistent picture.
/// </summary>
/// <remarks>
/// Agents are persisted (<see cref="IAgentStore"/>): an agent joins once with a join token and gets a credential of its
/// own, which is its identity from then on (<see cref="Authenticate"/>); its name, labels, capacity, version, last
/// heartbeat and cordon survive a control-plane restart. What it reports about its VMs is kept in memory only (the
/// agent reports it again when it reconnects). Rows are written when an agent joins, says hello, leaves, and when an
/// operator changes it, never per heartbeat.
/// <code>
///  joined ──hello──► online ──no frame for OfflineAfter, or connection lost──► offline ──hello──► online
///                      └──────────── cordon / uncordon (either state) ─────────────┘     remove ──► gone (credential revoked)
/// </code>
/// </remarks>
internal sealed class AgentRegistry(FleetState state, IAgentStore store, TimeProvider time)
{
    private readonly Dictionary<string, AgentSession> _agents = new(StringComparer.Ordinal);

    public TimeProvider Time => time;

    /// <summary>An agent is offline once nothing came from it for this long (three heartbeats).</summary>
    public static readonly TimeSpan OfflineAfter = ControlPlaneOptions.HeartbeatInterval * 3;

    /// <summary>Loads the persisted agents (all offline until they connect). Call once, first.</summary>
    public async Task LoadAsync(CancellationToken ct)
    {
        var records = await store.ListAgentsAsync(ct);
        lock (state.Gate)
            foreach (var record in records) _agents[record.Name] = AgentSession.FromRecord(record);
    }

    /// <summary>The session of the agent named <paramref name="name"/>, added in memory (not persisted, no credential) when it is new. For tests and benchmarks that play an agent by hand.</summary>
    public AgentSession GetOrAdd(string name)
    {
        lock (state.Gate)
        {
            if (!_agents.TryGetValue(name, out var session)) _agents[name] = session = new AgentSession(name);
            return session;
        }
    }

    public AgentSession? Find(string name)
    {
        lock (state.Gate) return _agents.GetValueOrDefault(name);
    }

    /// <summary>The agent whose credential is <paramref name="credential"/>, or null (unknown or revoked).</summary>
    public AgentSession? Authenticate(string credential)
    {
        if (!credential.StartsWith(AgentSecrets.CredentialPrefix, StringComparison.Ordinal)) return null;
        var hash = AgentSecrets.Hash(credential);
        lock (state.Gate)
        {
            AgentSession? found = null;
            // Every agent is compared, in constant time each, so the answer's timing says nothing about the hashes.
            foreach (var session in _agents.Values)
                if (session.CredentialHash.Length > 0 && AgentSecrets.HashesEqual(hash, session.CredentialHash)) found = session;
            return found;
        }
    }

    /// <summary>
    /// Adds a new agent named <paramref name="name"/> with a new credential, which is returned (the only time it
    /// exists in the clear). A name that is taken is refused: an agent's name belongs to the holder of its credential.
    /// </summary>
    public async Task<(AgentSession Session, string Credential)> JoinAsync(string name, IReadOnlyDictionary<string, string> labels, CancellationToken ct)
    {
        var credential = AgentSecrets.NewCredential();
        var session = new AgentSession(name) { CredentialHash = AgentSecrets.Hash(credential), Labels = labels, JoinedAt = time.GetUtcNow() };
        lock (state.Gate)
            if (_agents.ContainsKey(name))
                throw new AgentRequestException(AgentRequestError.Conflict, $"An agent named '{name}' has joined already; give this one another --name, or remove that one first (hangar agent remove {name}).");
        if (!await store.AddAgentAsync(session.ToRecord(), ct))
            throw new AgentRequestException(AgentRequestError.Conflict, $"An agent named '{name}' has joined already; give this one another --name, or remove that one first (hangar agent remove {name}).");
        lock (state.Gate) _agents[name] = session;
        await state.Replicas.PublishAsync(StoreChangeKind.Agents, name, ct);
        return (session, credential);
    }

    /// <summary>
    /// A new credential for the agent named <paramref name="name"/>, added when missing; the old credential stops
    /// working. For the server's own agent, which gets its credential in-process at every start.
    /// </summary>
    public async Task<string> IssueCredentialAsync(string name, CancellationToken ct)
    {
        var credential = AgentSecrets.NewCredential();
        AgentRecord record;
        lock (state.Gate)
        {
            if (!_agents.TryGetValue(name, out var session)) _agents[name] = session = new AgentSession(name) { JoinedAt = time.GetUtcNow() };
            session.CredentialHash = AgentSecrets.Hash(credential);
            record = session.ToRecord();
        }
        await store.SaveAgentAsync(record, ct);
        await state.Replicas.PublishAsync(StoreChangeKind.Agents, name, ct);
        return credential;
    }

    /// <summary>Records what the agent said in its <c>hello</c> (host, accelerator, version, capacity) and persists it.</summary>
    public async Task HelloAsync(AgentSession session, HelloMessage hello, CancellationToken ct)
    {
        AgentRecord record;
        bool same;
        lock (state.Gate)
        {
            // The same agent saying what its row already holds (a reconnect): the row is not written again, which on
            // SQLite is a disk sync for each of 1,000 agents reconnecting. Its heartbeat is persisted when it leaves.
            same = session.HostName == hello.HostName && session.Accelerator == hello.Accelerator && session.Version == hello.AgentVersion
                && session.Vcpus == hello.Vcpus && session.MemoryBytes == hello.MemoryBytes && (hello.Recipient is null || session.Recipient == hello.Recipient);
            session.HostName = hello.HostName;
            session.Accelerator = hello.Accelerator;
            session.Version = hello.AgentVersion;
            session.Vcpus = hello.Vcpus;
            session.MemoryBytes = hello.MemoryBytes;
            if (hello.Recipient is { } recipient) session.Recipient = recipient;
            session.LastSeen = time.GetUtcNow();
            record = session.ToRecord();
        }
        // Not for an agent removed meanwhile: writing its row again would give it back its revoked credential.
        if (!same && session.CredentialHash.Length > 0 && Find(session.Name) == session)
        {
            await store.SaveAgentAsync(record, ct);
            await state.Replicas.PublishAsync(StoreChangeKind.Agents, session.Name, ct);
        }
    }

    /// <summary>Records that <paramref name="session"/> completed its handshake (its channel is set).</summary>
    public void Connected(AgentSession session)
    {
        lock (state.Gate) _agents[session.Name] = session;
    }

    /// <summary>The agent's connection ended; its last heartbeat is persisted.</summary>
    /// <summary>
    /// Makes <paramref name="channel"/> the agent's connection (a new connection of the same agent wins); returns the
    /// one it replaces, for the caller to drop. Under the gate, as <see cref="DisconnectedAsync"/>'s check is.
    /// </summary>
    public AgentChannel? Attach(AgentSession session, AgentChannel channel)
    {
        lock (state.Gate)
        {
            var previous = session.Channel;
            session.Channel = channel;
            return previous;
        }
    }

    /// <summary>
    /// Connection <paramref name="channel"/> of the agent ended. False, and nothing changes, when the agent has
    /// connected again meanwhile: the old connection's end must not take the new one's channel (a reconnect that
    /// landed between the endpoint's look and this call was closed before).
    /// </summary>
    public async Task<bool> DisconnectedAsync(AgentSession session, AgentChannel channel)
    {
        AgentRecord record;
        lock (state.Gate)
        {
            if (!ReferenceEquals(session.Channel, channel)) return false;
            session.Channel = null;
            record = session.ToRecord();
        }
        if (session.CredentialHash.Length > 0 && Find(session.Name) == session)
        {
            try { await store.SaveAgentAsync(record, CancellationToken.None); }
            // The heartbeat in memory is still right, and the row catches up at the next hello; the store may also be
            // closing, when the control plane stops and its agents drop off.
            catch (Exception e) when (e is StateStoreException or InvalidOperationException or ObjectDisposedException) { }
        }
        return true;
    }

    /// <summary>Something came from the agent: it is alive now.</summary>
    public void Heard(AgentSession session)
    {
        lock (state.Gate) session.LastSeen = time.GetUtcNow();
    }

    /// <summary>Connected, and heard from within <see cref="OfflineAfter"/>; or connected to another replica that is alive.</summary>
    public bool IsOnline(AgentSession session)
    {
        lock (state.Gate)
            return session.Connected && session.LastSeen is { } seen && time.GetUtcNow() - seen <= OfflineAfter
                || state.Replicas.IsConnectedElsewhere(session.Name);
    }

    /// <summary>
    /// Another replica changed agent rows (a join, a hello, cordon, labels, a removal): takes them all from the store.
    /// A session keeps what lives only in this replica (its connection, reports, what it was sent); an agent removed
    /// elsewhere is forgotten and its connection here closed.
    /// </summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        var records = await store.ListAgentsAsync(ct);
        var dropped = new List<AgentSession>();
        lock (state.Gate)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var record in records)
            {
                names.Add(record.Name);
                if (!_agents.TryGetValue(record.Name, out var session)) { _agents[record.Name] = AgentSession.FromRecord(record); continue; }
                session.CredentialHash = record.CredentialHash;
                session.Labels = record.Labels;
                session.Cordoned = record.Cordoned;
                if (session.Connected) continue; // what it said in its hello here is as new as the row
                session.Vcpus = record.Vcpus;
                session.MemoryBytes = record.MemoryBytes;
                session.Version = record.Version;
                session.HostName = record.HostName;
                session.Accelerator = record.Accelerator;
                session.Recipient = record.Recipient;
                if (record.LastHeartbeat > session.LastSeen || session.LastSeen is null) session.LastSeen = record.LastHeartbeat;
            }
            foreach (var (name, session) in _agents.ToArray())
                if (!names.Contains(name) && session.CredentialHash.Length > 0) { _agents.Remove(name); dropped.Add(session); }
        }
        foreach (var session in dropped) session.Channel?.Socket.Abort();
    }

    public async Task<AgentSession> SetCordonedAsync(string name, bool cordoned, CancellationToken ct)
    {
        AgentRecord record;
        AgentSession session;
        lock (state.Gate)
        {
            session = _agents.GetValueOrDefault(name) ?? throw NotFound(name);
            session.Cordoned = cordoned;
            record = session.ToRecord();
        }
        await store.SaveAgentAsync(record, ct);
        await state.Replicas.PublishAsync(StoreChangeKind.Agents, name, ct);
        return session;
    }

    /// <summary>Sets <paramref name="set"/> and removes <paramref name="remove"/> (keys that are absent are ignored), persisted.</summary>
    public async Task<AgentSession> SetLabelsAsync(string name, IReadOnlyDictionary<string, string> set, IReadOnlyList<string> remove, CancellationToken ct)
    {
        AgentRecord record;
        AgentSession session;
        lock (state.Gate)
        {
            session = _agents.GetValueOrDefault(name) ?? throw NotFound(name);
            var labels = new Dictionary<string, string>(session.Labels, StringComparer.Ordinal);
            foreach (var key in remove) labels.Remove(key);
            foreach (var (key, value) in set) labels[key] = value;
            session.Labels = labels;
            record = session.ToRecord();
        }
        await store.SaveAgentAsync(record, ct);
        await state.Replicas.PublishAsync(StoreChangeKind.Agents, name, ct);
        return session;
    }

    /// <summary>Forgets the agent and revokes its credential; a connection it has open is closed.</summary>
    public async Task RemoveAsync(AgentSession session, CancellationToken ct)
    {
        await store.RemoveAgentAsync(session.Name, ct);
        lock (state.Gate) _agents.Remove(session.Name);
        await state.Replicas.PublishAsync(StoreChangeKind.Agents, session.Name, ct);
    }

    public static AgentRequestException NotFound(string name) =>
        new(AgentRequestError.NotFound, $"No agent named '{name}'; `hangar agent list` shows the agents.");

    /// <summary>Every known agent, in the order they became known.</summary>
    public AgentSession[] Snapshot()
    {
        lock (state.Gate) return _agents.Values.ToArray();
    }
}
