namespace Hangar.Protocol.Agent;

/// <summary>What a relayed stream carries (JSON: <c>log</c>, <c>console</c>, <c>exec</c>, <c>balloon</c>).</summary>
public enum StreamKind
{
    /// <summary>A VM's serial log, read from an offset; only the agent sends data.</summary>
    Log,
    /// <summary>An interactive session on a VM's serial console; data goes both ways.</summary>
    Console,
    /// <summary>A command run in the guest by its guest agent (<see cref="StreamOpenMessage.Exec"/>); the agent sends one
    /// <see cref="GuestExecOutcome"/> and ends the stream. Since version 5.</summary>
    Exec,
    /// <summary>Sets (or only reads) a running VM's memory balloon target (<see cref="StreamOpenMessage.Balloon"/>); the agent
    /// sends one <see cref="BalloonOutcome"/> and ends the stream. Since version 8.</summary>
    Balloon,
}
