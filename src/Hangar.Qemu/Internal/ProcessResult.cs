namespace Hangar.Qemu.Internal;

internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);
