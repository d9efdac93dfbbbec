using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Agent;

namespace Hangar.ControlPlane.Agents;

/// <summary>
/// The agents the control plane knows, connected or not, with the last state each reported. The only owner of that
/// list: the other parts read it through <see cref="Snapshot"/>. It shares the fleet's <see cref="FleetState.Gate"/>
/// (a <see cref="Lock"/> may be entered again by its holder), so a part that holds the gate sees agents and spec
/// as one consistent picture.
/// </summary>
/// <remarks>
/// Today the registry is in memory: an agent is known from its first <c>hello</c> until the control plane stops,
/// and placement (<see cref="Scheduler"/>) is computed over the names known. With many hosts, agents are persisted
/// (name, host, accelerator, last seen) so that placement survives a control-plane restart and a leader change:
/// <see cref="GetOrAdd"/> and <see cref="Connected"/> are the two points where an agent becomes known and would
/// be written through to the store; the rest of the control plane only reads <see cref="Snapshot"/>.
/// </remarks>
internal sealed class AgentRegistry(FleetState state)
{
    private readonly Dictionary<string, AgentSession> _agents = new(StringComparer.Ordinal);

    /// <summary>The session of the agent named <paramref name="name"/>, added (not connected) when it is new.</summary>
    public AgentSession GetOrAdd(string name)
    {
        lock (state.Gate)
        {
            if (!_agents.TryGetValue(name, out var session)) _agents[name] = session = new AgentSession(name);
            return session;
        }
    }

    /// <summary>Records that <paramref name="session"/> completed its handshake (its channel is set).</summary>
    public void Connected(AgentSession session)
    {
        lock (state.Gate) _agents[session.Name] = session;
    }

    public void Disconnected(AgentSession session)
    {
        lock (state.Gate) session.Channel = null;
    }

    /// <summary>Stores an agent's newest report and returns the one before it (null for the first).</summary>
    public ObservedStateMessage? Observed(AgentSession session, ObservedStateMessage observed)
    {
        lock (state.Gate)
        {
            var previous = session.Observed;
            session.Observed = observed;
            session.LastSeen = DateTimeOffset.UtcNow;
            return previous;
        }
    }

    /// <summary>Every known agent, in the order they became known.</summary>
    public AgentSession[] Snapshot()
    {
        lock (state.Gate) return _agents.Values.ToArray();
    }
}
