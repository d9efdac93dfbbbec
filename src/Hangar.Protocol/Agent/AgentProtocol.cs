namespace Hangar.Protocol.Agent;

/// <summary>Constants of the agent protocol.</summary>
public static class AgentProtocol
{
    public const int Version = 1;

    /// <summary>Path of the WebSocket endpoint on the control plane.</summary>
    public const string Path = "/agent/ws";

    /// <summary>Path where an agent exchanges a join token for its credential (<see cref="AgentJoinRequest"/>).</summary>
    public const string JoinPath = "/agent/join";

    /// <summary>Header of a 401 on <see cref="Path"/> that says why the credential was refused (a WebSocket client sees headers, not bodies).</summary>
    public const string RefusedHeader = "X-Hangar-Refused";

    /// <summary>Largest frame either side accepts; a larger one closes the connection with MessageTooBig.</summary>
    public const int MaxFrameBytes = 16 * 1024 * 1024;
}
