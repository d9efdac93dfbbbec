namespace Hangar.Protocol.Api;

/// <summary>Answer of <c>POST /api/v1/vms/NAME/exec</c>: how the command ended in the guest.</summary>
/// <param name="ExitCode">Its exit code (128 + the signal when a signal ended it); <c>hangar vm exec</c> exits with it.</param>
/// <param name="Signal">The signal that ended it, if one did.</param>
/// <param name="Stdout">Its standard output (base64 in JSON).</param>
/// <param name="Stderr">Its standard error (base64 in JSON).</param>
public sealed record VmExecResult(int ExitCode, int? Signal, byte[] Stdout, byte[] Stderr);
