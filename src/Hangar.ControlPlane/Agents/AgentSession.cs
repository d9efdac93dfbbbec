using Hangar.Protocol.Agent;

namespace Hangar.ControlPlane.Agents;

/// <summary>One agent known to the control plane, connected or not, with the last state it reported.</summary>
public sealed class AgentSession(string name)
{
    public string Name { get; } = name;
    public string HostName { get; set; } = "";
    public string? Accelerator { get; set; }
    public AgentChannel? Channel { get; set; }
    public bool Connected => Channel is not null;
    public DateTimeOffset? LastSeen { get; set; }
    public ObservedStateMessage? Observed { get; set; }
}
