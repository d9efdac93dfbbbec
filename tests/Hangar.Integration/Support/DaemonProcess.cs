using System.Diagnostics;
using System.Text;
using Hangar.Testing;

namespace Hangar.Integration.Support;

/// <summary>
/// A long-running <c>hangar server</c> or <c>hangar agent</c> started as a user would (the real client, which becomes
/// <c>hangard</c>), with its own home, under TCG. Its output is kept for assertions and failure messages; disposing
/// stops it (SIGTERM, then SIGKILL).
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DaemonProcess(Process process) => _process = process;

    public static DaemonProcess Start(string home, params string[] args)
    {
        var (fileName, prefix) = HangarCommand.Client;
        var psi = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in prefix) psi.ArgumentList.Add(arg);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        psi.Environment["HANGAR_HOME"] = home;
        psi.Environment["HANGAR_ACCEL"] = "tcg";
        psi.Environment.Remove("HANGAR_JOIN_TOKEN");
        var daemon = new DaemonProcess(new Process { StartInfo = psi });
        daemon._process.OutputDataReceived += (_, e) => daemon.Append(e.Data);
        daemon._process.ErrorDataReceived += (_, e) => daemon.Append(e.Data);
        daemon._process.Start();
        daemon._process.BeginOutputReadLine();
        daemon._process.BeginErrorReadLine();
        return daemon;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>Everything it printed so far (stdout and stderr, interleaved as they came).</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for it to exit on its own and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as a service manager stops it; returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited) Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
        return await WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>SIGKILL, as a crash or an OOM kill: nothing of its own runs on the way out.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { await StopAsync(); }
            catch (TimeoutException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
    }

    public override string ToString() => $"pid {_process.Id}, {(HasExited ? $"exited {_process.ExitCode}" : "running")}\n{Output}";
}
