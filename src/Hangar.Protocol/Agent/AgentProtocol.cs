namespace Hangar.Protocol.Agent;

/// <summary>Constants of the agent protocol.</summary>
public static class AgentProtocol
{
    public const int Version = 1;

    /// <summary>Path of the WebSocket endpoint on the control plane.</summary>
    public const string Path = "/agent/ws";

    /// <summary>Largest frame either side accepts; a larger one closes the connection with MessageTooBig.</summary>
    public const int MaxFrameBytes = 16 * 1024 * 1024;
}
