namespace Hangar.Protocol.Agent;

/// <summary>What a relayed stream carries (JSON: <c>log</c>, <c>console</c>).</summary>
public enum StreamKind
{
    /// <summary>A VM's serial log, read from an offset; only the agent sends data.</summary>
    Log,
    /// <summary>An interactive session on a VM's serial console; data goes both ways.</summary>
    Console,
}
