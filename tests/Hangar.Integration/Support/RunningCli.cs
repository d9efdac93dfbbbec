using System.Diagnostics;
using System.Text;

namespace Hangar.Integration.Support;

/// <summary>A <c>hangar</c> client command left running: its standard output is read as it comes.</summary>
public sealed class RunningCli(Process process)
{
    private readonly StringBuilder _stdout = new();
    public Process Process { get; } = process;

    /// <summary>Reads standard output until it contains <paramref name="text"/>; returns everything read so far.</summary>
    public async Task<string> ReadUntilAsync(string text, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new char[4096];
        while (!_stdout.ToString().Contains(text, StringComparison.Ordinal))
        {
            int read;
            try
            {
                read = await Process.StandardOutput.ReadAsync(buffer, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"hangar did not print '{text}' within {timeout}; it printed:\n{_stdout}");
            }
            if (read == 0) throw new InvalidOperationException($"hangar ended before it printed '{text}'; it printed:\n{_stdout}\nstderr:\n{await Process.StandardError.ReadToEndAsync()}");
            _stdout.Append(buffer, 0, read);
        }
        return _stdout.ToString();
    }

    public async Task WriteAsync(string text)
    {
        await Process.StandardInput.WriteAsync(text);
        await Process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for the command to exit; returns its exit code and standard error.</summary>
    public async Task<(int ExitCode, string Stderr)> WaitAsync(TimeSpan timeout)
    {
        var stderr = Process.StandardError.ReadToEndAsync();
        await Process.WaitForExitAsync().WaitAsync(timeout);
        return (Process.ExitCode, await stderr);
    }
}
