using System.Diagnostics;

namespace Hangar.Images.Tests.Qemu;

/// <summary>
/// A QEMU process booting a <see cref="KernelImage"/> under TCG with its serial console on stdio, for tests.
/// Serial lines arrive as events (no log polling); disposing kills QEMU if it is still running.
/// </summary>
internal sealed class QemuTestVm : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];
    private readonly object _gate = new();

    private QemuTestVm(Process process, string qmpSocketPath)
    {
        _process = process;
        QmpSocketPath = qmpSocketPath;
    }

    public string QmpSocketPath { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string SerialLog
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public static QemuTestVm Start(KernelImage image, string guestName, int httpHostPort, string directory, IReadOnlyList<string>? extraArguments = null)
    {
        var qmpSocketPath = Path.Combine(directory, "qmp.sock");
        var startInfo = new ProcessStartInfo("qemu-system-x86_64")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            // KVM hangs guests on these machines (see MEASURED-FACTS.md); microvm does not boot under TCG.
            "-M", "pc", "-accel", "tcg", "-m", "128",
            "-nodefaults", "-no-user-config", "-display", "none",
            "-chardev", "stdio,id=serial0,signal=off", "-serial", "chardev:serial0",
            "-kernel", image.KernelPath, "-initrd", image.InitrdPath,
            "-append", $"{image.KernelCommandLine} {TinyImage.NameParameter}={guestName}",
            "-netdev", $"user,id=net0,hostfwd=tcp:127.0.0.1:{httpHostPort}-:80",
            "-device", "virtio-net-pci,netdev=net0",
            "-qmp", $"unix:{qmpSocketPath},server=on,wait=off",
        ];
        foreach (var argument in arguments.Concat(extraArguments ?? []))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var vm = new QemuTestVm(process, qmpSocketPath);
        process.OutputDataReceived += (_, e) => vm.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => vm.OnLine(e.Data is null ? null : "[qemu stderr] " + e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return vm;
    }

    /// <summary>Completes with the first serial line (past or future) matching; fails if QEMU exits or time runs out.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var earlier = _lines.FirstOrDefault(match);
            if (earlier is not null)
            {
                return earlier;
            }

            _waiters.Add((match, seen));
        }

        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(seen.Task, exited).WaitAsync(timeout);
        if (first != seen.Task)
        {
            throw new InvalidOperationException($"QEMU exited with code {_process.ExitCode} before the line appeared. Serial log:\n{SerialLog}");
        }

        return await seen.Task;
    }

    public async Task WriteConsoleAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>True if QEMU exits by itself within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? data)
    {
        if (data is null)
        {
            return;
        }

        var line = data.TrimEnd('\r');
        List<TaskCompletionSource<string>> completed = [];
        lock (_gate)
        {
            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    completed.Add(_waiters[i].Seen);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var seen in completed)
        {
            seen.TrySetResult(line);
        }
    }
}
