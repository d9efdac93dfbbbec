namespace Hangar.Images.Processes;

/// <summary>
/// Runs an external program (apt-cache, apt-get, dpkg-deb) to completion. Injectable so tests can count or fake runs.
/// </summary>
internal interface IProcessRunner
{
    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/> passed as an argument list (never through a
    /// shell). Returns whatever the exit code; throws <see cref="ImageBuildException"/> only if it cannot start.
    /// On cancellation the process tree is killed.
    /// </summary>
    Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string? workingDirectory, CancellationToken ct);
}
