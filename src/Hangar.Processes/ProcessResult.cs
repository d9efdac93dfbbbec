namespace Hangar.Processes;

/// <summary>How a finished external program ended and what it printed.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);
