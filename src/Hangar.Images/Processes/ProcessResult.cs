namespace Hangar.Images.Processes;

/// <summary>How a finished external program ended and what it printed.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);
