namespace Hangar.Qemu;

/// <summary>How a command run in the guest by <c>guest-exec</c> ended.</summary>
/// <param name="ExitCode">Its exit code; when a signal ended it, 128 + the signal, as a shell reports it.</param>
/// <param name="Signal">The signal that ended it, if one did.</param>
/// <param name="Stdout">What it wrote to its standard output (as much as qemu-ga keeps).</param>
/// <param name="Stderr">What it wrote to its standard error.</param>
public sealed record GuestExecResult(int ExitCode, int? Signal, byte[] Stdout, byte[] Stderr);
