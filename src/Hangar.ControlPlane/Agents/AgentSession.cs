using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Streams;

namespace Hangar.ControlPlane.Agents;

/// <summary>One agent known to the control plane, connected or not, with the last state it reported.</summary>
public sealed class AgentSession(string name)
{
    public string Name { get; } = name;
    public string HostName { get; set; } = "";
    public string? Accelerator { get; set; }
    public AgentChannel? Channel { get; set; }
    /// <summary>The relayed streams (serial logs, consoles) of the agent's current connection; ended when it ends.</summary>
    public StreamMultiplexer? Streams { get; set; }
    public bool Connected => Channel is not null;
    public DateTimeOffset? LastSeen { get; set; }
    public ObservedStateMessage? Observed { get; set; }
}
