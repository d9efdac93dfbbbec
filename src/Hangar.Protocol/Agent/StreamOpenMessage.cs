namespace Hangar.Protocol.Agent;

/// <summary>
/// Control plane → agent: open stream <paramref name="Stream"/> on VM <paramref name="Vm"/>'s serial log or console, or run a command in it.
/// The agent opens only files and sockets of a VM it supervises, at the paths it derives itself; nothing in this
/// message is a path. It answers <see cref="StreamOpenedMessage"/> or <see cref="StreamCloseMessage"/>.
/// </summary>
/// <param name="Stream">Chosen by the control plane, unique on the connection.</param>
/// <param name="Offset">For a log: the byte offset to start at (0 for the beginning). Ignored for a console.</param>
/// <param name="Follow">For a log: after reaching the end, keep sending what is appended until the stream is closed.</param>
/// <param name="Window">How many data bytes the agent may send before the control plane grants more (<see cref="StreamCreditMessage"/>).</param>
public sealed record StreamOpenMessage(string Stream, string Vm, StreamKind Kind, long Offset, bool Follow, int Window) : AgentMessage
{
    /// <summary>For <see cref="StreamKind.Exec"/>: the command to run in the guest. Absent for other kinds.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public GuestExecRequest? Exec { get; init; }

    /// <summary>For <see cref="StreamKind.Balloon"/>: the target to set, or none to read the balloon only. Absent for other kinds.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public BalloonRequest? Balloon { get; init; }
}
