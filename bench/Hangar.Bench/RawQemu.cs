using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Hangar.Qemu;

namespace Hangar.Bench;

/// <summary>
/// The baseline: what a script would do without Hangar. For each VM, the same arguments Hangar gives QEMU
/// (<see cref="QemuCommandLine.Build"/>), run directly with <c>-daemonize</c>; then a bare QMP session
/// (greeting, <c>qmp_capabilities</c>, <c>cont</c>, <c>query-status</c>) on a plain unix socket. No Hangar code runs
/// on this path except the pure argument builder.
/// </summary>
internal sealed class RawQemu : IAsyncDisposable
{
    private readonly QemuVmConfig _config;
    private Socket? _qmp;

    private RawQemu(QemuVmConfig config) => _config = config;

    public int Pid { get; private set; }
    public string SerialLog => _config.Paths.SerialLog;

    /// <summary>Timestamps (Stopwatch) of this VM's launch.</summary>
    public long Daemonized { get; private set; }
    public long Running { get; private set; }

    public static RawQemu For(QemuVmConfig config) => new(config);

    /// <summary>Runs QEMU, waits for the foreground process (it exits once QEMU daemonized), continues the guest over QMP and waits for query-status to say running.</summary>
    public async Task LaunchAsync(CancellationToken ct)
    {
        var args = QemuCommandLine.Build(_config);
        Directory.CreateDirectory(_config.Paths.Directory);
        Directory.CreateDirectory(Path.GetDirectoryName(_config.Paths.SerialLog)!);
        var start = new ProcessStartInfo(_config.Binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        using (var process = Process.Start(start)!)
        {
            var stderr = process.StandardError.ReadToEndAsync(ct);
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"raw QEMU {_config.Name} exited with {process.ExitCode}: {await stderr}");
            await Task.WhenAll(stderr, stdout);
        }
        Pid = int.Parse(File.ReadAllText(_config.Paths.PidFile).Trim(), CultureInfo.InvariantCulture);
        Daemonized = Stopwatch.GetTimestamp();

        _qmp = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await _qmp.ConnectAsync(new UnixDomainSocketEndPoint(_config.Paths.QmpSocket), ct);
        var stream = new NetworkStream(_qmp, ownsSocket: false);
        var reader = new StreamReader(stream, Encoding.UTF8);
        var greeting = await reader.ReadLineAsync(ct);
        if (greeting is null || !greeting.Contains("\"QMP\"", StringComparison.Ordinal))
            throw new InvalidOperationException($"raw QEMU {_config.Name}: no QMP greeting");
        await CommandAsync(stream, reader, "qmp_capabilities", ct);
        await CommandAsync(stream, reader, "cont", ct);
        var status = await CommandAsync(stream, reader, "query-status", ct);
        if (!status.GetProperty("running").GetBoolean())
            throw new InvalidOperationException($"raw QEMU {_config.Name} is not running after cont");
        Running = Stopwatch.GetTimestamp();
    }

    private static async Task<JsonElement> CommandAsync(NetworkStream stream, StreamReader reader, string command, CancellationToken ct)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes($"{{\"execute\":\"{command}\"}}\n"), ct);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.TryGetProperty("return", out var value)) return value.Clone();
            if (doc.RootElement.TryGetProperty("error", out var error)) throw new InvalidOperationException($"QMP {command}: {error}");
            // an event: skip
        }
        throw new InvalidOperationException($"QMP closed during {command}");
    }

    /// <summary>SIGKILL and wait until the process is gone, then remove its files.</summary>
    public async ValueTask DisposeAsync()
    {
        _qmp?.Dispose();
        if (Pid == 0 && File.Exists(_config.Paths.PidFile) && int.TryParse(File.ReadAllText(_config.Paths.PidFile).Trim(), out var pid)) Pid = pid;
        await Proc.KillAndWaitAsync([Pid], TimeSpan.FromSeconds(10));
        // The runtime directory and the serial log's directory are the VM's own (see Bench.RawConfig).
        foreach (var dir in new[] { _config.Paths.Directory, Path.GetDirectoryName(_config.Paths.SerialLog)! })
        {
            try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
