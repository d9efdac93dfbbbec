using System.Diagnostics;

namespace Hangar.Processes;

/// <inheritdoc cref="IProcessRunner"/>
public sealed class ProcessRunner : IProcessRunner
{
    public static ProcessRunner Instance { get; } = new();

    public Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string? workingDirectory, CancellationToken cancellationToken) =>
        RunAsync(fileName, arguments, workingDirectory, environment: null, cancellationToken);

    /// <summary>As <see cref="IProcessRunner.RunAsync"/>, with <paramref name="environment"/> set on top of this process's.</summary>
    public Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string? workingDirectory,
        IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken) =>
        RunAsync(fileName, arguments, workingDirectory, environment, errorLines: null, cancellationToken);

    /// <summary>
    /// As <see cref="IProcessRunner.RunAsync"/>, and each line of standard error is also reported to
    /// <paramref name="errorLines"/> as it is written (for programs that print their progress there, such as mmdebstrap).
    /// </summary>
    public async Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string? workingDirectory,
        IReadOnlyDictionary<string, string>? environment, IProgress<string>? errorLines, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        // Output is parsed (apt's stanzas, qemu-img's messages): keep it in the C locale whatever the caller's is.
        startInfo.Environment["LC_ALL"] = "C";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) startInfo.Environment[name] = value;

        using var process = new Process { StartInfo = startInfo };
        process.Start();
        // Process.Dispose leaves the redirected streams open once they were handed out (they are then ours), and a
        // pipe left to the finalizer stays open until a full GC: two descriptors per run in a long-lived server.
        using var stdoutReader = process.StandardOutput;
        using var stderrReader = process.StandardError;
        process.StandardInput.Close();
        var stdout = stdoutReader.ReadToEndAsync(CancellationToken.None);
        var stderr = errorLines is null ? stderrReader.ReadToEndAsync(CancellationToken.None) : ReadLinesAsync(stderrReader, errorLines);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited in the meantime.
            }
            throw;
        }
        // WaitForExitAsync returns once the process exited; the pipes reach EOF when every holder closed them
        // (a daemonizing QEMU's child keeps them only until it detached).
        return new ProcessResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static async Task<string> ReadLinesAsync(StreamReader reader, IProgress<string> lines)
    {
        var all = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
        {
            all.Append(line).Append('\n');
            lines.Report(line);
        }
        return all.ToString();
    }
}
