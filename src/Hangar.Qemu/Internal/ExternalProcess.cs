using System.Diagnostics;

namespace Hangar.Qemu.Internal;

/// <summary>Runs a program to completion with an argument list (never a shell) and keeps its output.</summary>
internal static class ExternalProcess
{
    /// <summary>
    /// Starts <paramref name="fileName"/>, waits for it to exit and returns its exit code and output. When
    /// <paramref name="cancellationToken"/> fires, the process (and its children) are killed before the
    /// <see cref="OperationCanceledException"/> propagates: every process started here has this method as owner.
    /// </summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The program could not be started.</exception>
    public static async Task<ProcessResult> RunAsync(
        string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);

        using var process = new Process { StartInfo = startInfo };
        process.Start();
        // Process.Dispose leaves the redirected streams open once they were handed out (they are then ours), and a
        // pipe left to the finalizer stays open until a full GC: two descriptors per run in a long-lived server.
        using var stdoutReader = process.StandardOutput;
        using var stderrReader = process.StandardError;
        process.StandardInput.Close();
        var stdout = stdoutReader.ReadToEndAsync(CancellationToken.None);
        var stderr = stderrReader.ReadToEndAsync(CancellationToken.None);
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
        // WaitForExitAsync returns once the process exited; the pipes reach EOF when every holder closed them.
        return new ProcessResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
