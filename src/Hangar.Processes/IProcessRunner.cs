namespace Hangar.Processes;

/// <summary>Runs an external program to completion. Injectable, so that tests can count or fake runs.</summary>
public interface IProcessRunner
{
    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/> as an argument list (never through a shell),
    /// in <paramref name="workingDirectory"/> (null: this process's), with <c>LC_ALL=C</c> so that what it prints can
    /// be parsed. Returns whatever the exit code. When <paramref name="cancellationToken"/> fires, the process and its
    /// children are killed before the <see cref="OperationCanceledException"/> propagates: every process started here
    /// has this method as its owner.
    /// </summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The program could not be started (not installed).</exception>
    Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string? workingDirectory, CancellationToken cancellationToken);
}
