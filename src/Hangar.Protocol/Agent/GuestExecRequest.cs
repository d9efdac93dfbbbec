namespace Hangar.Protocol.Agent;

/// <summary>What an <see cref="StreamKind.Exec"/> stream runs in the guest, through its guest agent (since version 5).</summary>
/// <param name="Command">The program (an absolute path, or a name the guest agent finds on its PATH) and its arguments.</param>
/// <param name="Input">What the command reads on its standard input; null for none.</param>
/// <param name="TimeoutSeconds">How long the agent waits for the command to exit.</param>
public sealed record GuestExecRequest(IReadOnlyList<string> Command, byte[]? Input, int TimeoutSeconds);
