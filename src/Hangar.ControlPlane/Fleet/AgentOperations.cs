using Hangar.ControlPlane.Agents;
using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// What operators and joining agents do about agents: join tokens, joining, listing, cordoning, removing. Every
/// refusal and change is an event, so the operator sees on the server what an agent was told.
/// </summary>
internal sealed class AgentOperations(FleetState state, AgentRegistry agents, JoinTokens tokens, EventJournal journal, DesiredStateDelivery delivery)
{
    public async Task<JoinTokenResponse> CreateTokenAsync(JoinTokenRequest request, CancellationToken ct)
    {
        var (token, record) = await tokens.CreateAsync(request.Ttl, request.Uses, request.Labels, ct);
        journal.Record("agent.token", null, $"Join token {record.Id} made: {record.Uses} use(s), expires {record.ExpiresAt:u}");
        return new JoinTokenResponse(token, record.Id, record.ExpiresAt, record.Uses, record.Labels);
    }

    /// <summary>Redeems <paramref name="joinToken"/> and adds the agent; throws <see cref="AgentRefusedException"/> or <see cref="AgentRequestException"/>.</summary>
    public async Task<(string Name, string Credential)> JoinAsync(string joinToken, string name, IReadOnlyDictionary<string, string>? labels, CancellationToken ct)
    {
        if (!AgentLabels.IsAgentName(name))
            throw new AgentRequestException(AgentRequestError.Invalid, $"name: '{name}' is not a valid agent name; use 1–63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit.");
        AgentLabels.Check(labels);
        if (agents.Find(name) is not null)
            throw Refused(new AgentRequestException(AgentRequestError.Conflict, $"An agent named '{name}' has joined already; give this one another --name, or remove that one first (hangar agent remove {name})."), name);
        try
        {
            var token = await tokens.RedeemAsync(joinToken, ct);
            var merged = new Dictionary<string, string>(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            foreach (var (key, value) in token.Labels) merged[key] = value;
            var (_, credential) = await agents.JoinAsync(name, merged, ct);
            journal.Record("agent.joined", null, $"Agent {name} joined with token {token.Id} (use {token.Used} of {token.Uses})", name);
            return (name, credential);
        }
        catch (Exception e) when (e is AgentRefusedException or AgentRequestException)
        {
            throw Refused(e, name);
        }
    }

    private Exception Refused(Exception e, string name)
    {
        journal.Record("agent.refused", null, $"Agent {name} could not join: {e.Message}", name);
        return e;
    }

    /// <summary>A connection presented a credential that no agent has.</summary>
    public void CredentialRefused(string remote) =>
        journal.Record("agent.refused", null, $"A connection from {remote} presented an unknown or revoked agent credential");

    public IReadOnlyList<AgentInfo> List()
    {
        lock (state.Gate)
            return agents.Snapshot().OrderBy(a => a.Name, StringComparer.Ordinal).Select(Info).ToArray();
    }

    public AgentInfo Get(string name)
    {
        lock (state.Gate) return Info(agents.Find(name) ?? throw AgentRegistry.NotFound(name));
    }

    public async Task<AgentInfo> SetCordonedAsync(string name, bool cordoned, CancellationToken ct)
    {
        await agents.SetCordonedAsync(name, cordoned, ct);
        journal.Record(cordoned ? "agent.cordoned" : "agent.uncordoned", null, cordoned ? $"Agent {name} cordoned: it gets no new VMs" : $"Agent {name} uncordoned", name);
        state.NotifyChanged();
        return Get(name);
    }

    /// <summary>
    /// Sets and removes labels of an agent, persisted. VMs already placed stay where they are until the next plan or
    /// apply, which moves a VM whose selectors its agent no longer matches (and places new VMs by the new labels).
    /// </summary>
    public async Task<AgentInfo> SetLabelsAsync(string name, AgentLabelsRequest request, CancellationToken ct)
    {
        AgentLabels.Check(request.Set);
        foreach (var key in request.Remove)
            if (request.Set.ContainsKey(key))
                throw new AgentRequestException(AgentRequestError.Invalid, $"labels: '{key}' is both set and removed; give it once.");
        var session = await agents.SetLabelsAsync(name, request.Set, request.Remove, ct);
        string text;
        lock (state.Gate) text = session.Labels.Count == 0 ? "none" : string.Join(",", session.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        journal.Record("agent.labels", null, $"Agent {name} labels: {text}", name);
        state.NotifyChanged();
        return Get(name);
    }

    /// <summary>
    /// Removes the agent and revokes its credential. Refused while it is online or VMs are placed on it, unless
    /// <paramref name="force"/>: then its VMs lose their placement and go to other agents (their disks do not).
    /// </summary>
    public async Task<AgentInfo> RemoveAsync(string name, bool force, CancellationToken ct)
    {
        await state.Writes.WaitAsync(ct);
        try
        {
            AgentSession session;
            AgentInfo info;
            lock (state.Gate)
            {
                session = agents.Find(name) ?? throw AgentRegistry.NotFound(name);
                info = Info(session);
            }
            if (!force && (info.State == AgentState.Online || info.Vms.Count > 0))
                throw new AgentRequestException(AgentRequestError.Conflict,
                    $"Agent {name} is {(info.State == AgentState.Online ? "online" : "offline")} and has {info.Vms.Count} VM(s) placed on it" +
                    (info.Vms.Count > 0 ? $" ({string.Join(", ", info.Vms)})" : "") +
                    "; stop it and move its VMs first, or remove it anyway with --force (its VMs are then placed elsewhere, without their disks).");
            await agents.RemoveAsync(session, ct);
            journal.Record("agent.removed", null, $"Agent {name} removed; its credential is revoked" + (info.Vms.Count > 0 ? $"; VMs to place elsewhere: {string.Join(", ", info.Vms)}" : ""), name);
            if (session.Channel is { } channel)
            {
                try { await channel.Socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, "This agent was removed; its credential is revoked.", ct); }
                catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or InvalidOperationException or ObjectDisposedException) { }
            }
            await delivery.PushAsync(ct);
            return info;
        }
        finally
        {
            state.Writes.Release();
        }
    }

    private AgentInfo Info(AgentSession a)
    {
        var vms = state.Placement.Where(p => p.Value == a.Name).Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
        var specs = vms.Select(state.Spec.FindVm).OfType<VmSpec>().ToArray();
        return new AgentInfo(a.Name, agents.IsOnline(a) ? AgentState.Online : AgentState.Offline, a.Cordoned, a.Labels, a.HostName, a.Accelerator,
            a.Version, a.Vcpus, a.MemoryBytes, specs.Sum(v => v.Vcpu), specs.Sum(v => v.Memory.Bytes), vms, a.JoinedAt, a.LastSeen) { Recipient = a.Recipient };
    }
}
