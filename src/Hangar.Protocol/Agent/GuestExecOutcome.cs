namespace Hangar.Protocol.Agent;

/// <summary>
/// How a command run by an <see cref="StreamKind.Exec"/> stream ended: the one JSON document (<see cref="AgentJsonContext"/>)
/// the agent sends on the stream before it closes it with <see cref="StreamCloseReason.End"/>.
/// </summary>
/// <param name="ExitCode">The command's exit code; 128 + the signal when a signal ended it.</param>
/// <param name="Signal">The signal that ended it, if one did.</param>
/// <param name="Stdout">Its standard output (base64 in JSON).</param>
/// <param name="Stderr">Its standard error (base64 in JSON).</param>
public sealed record GuestExecOutcome(int ExitCode, int? Signal, byte[] Stdout, byte[] Stderr);
