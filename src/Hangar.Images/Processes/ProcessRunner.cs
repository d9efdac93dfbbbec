using System.ComponentModel;
using System.Diagnostics;

namespace Hangar.Images.Processes;

/// <inheritdoc cref="IProcessRunner"/>
internal sealed class ProcessRunner : IProcessRunner
{
    public static ProcessRunner Instance { get; } = new();

    public async Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string? workingDirectory, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // apt's output is parsed: keep it in the C locale whatever the user's environment says.
        startInfo.Environment["LC_ALL"] = "C";

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new ImageBuildException($"Could not start '{fileName}'; is it installed?", e);
        }

        // Process.Dispose leaves the redirected streams open once they were handed out: close them here, not in a
        // finalizer some full GC later.
        using var stdoutReader = process.StandardOutput;
        using var stderrReader = process.StandardError;
        process.StandardInput.Close();
        var stdout = stdoutReader.ReadToEndAsync(CancellationToken.None);
        var stderr = stderrReader.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ProcessResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
