using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Hangar.Bench;

/// <summary>
/// A libvirtd of the bench's own: Debian's packages (installed with apt-get on first use), its configuration, cache,
/// state, runtime and log directories under <c>ROOT/lv</c>, bind-mounted over <c>/etc/libvirt</c>, <c>/var/lib/libvirt</c>,
/// <c>/var/cache/libvirt</c>, <c>/run/libvirt</c> and <c>/var/log/libvirt</c> in a mount namespace of its own (<c>unshare --mount</c>), so
/// nothing of the host's libvirt is read or written; its socket is <c>ROOT/lv/sock/libvirt-sock</c>. QEMU runs as
/// root without a security driver, cgroups or per-domain namespaces (none of which this container has).
/// </summary>
internal sealed partial class PrivateLibvirt : IAsyncDisposable
{
    // Not passt: libvirt 9.0 refuses its backend (VirshDomain), so the domains use QEMU's own user network.
    public static readonly string[] Packages = ["libvirt-daemon", "libvirt-daemon-driver-qemu"];
    private const string Daemon = "/usr/sbin/libvirtd";
    private const string QemuDriver = "/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so";
    private static readonly string[] Mounts = ["/etc/libvirt", "/var/lib/libvirt", "/var/cache/libvirt", "/run/libvirt", "/var/log/libvirt"];
    private static readonly string[] MountSources = ["etc", "lib", "cache", "run", "log"];

    private readonly Process _daemon;
    private int _disposed;

    private PrivateLibvirt(string dir, Process daemon)
    {
        Dir = dir;
        _daemon = daemon;
    }

    public string Dir { get; }
    public string Uri => $"qemu+unix:///system?socket={Dir}/sock/libvirt-sock";
    public string LogPath => Path.Combine(Dir, "libvirtd.log");
    /// <summary>The QEMU capability cache, as the host path (it is /var/cache/libvirt/qemu/capabilities inside).</summary>
    public string CapabilityCache => Path.Combine(Dir, "cache", "qemu", "capabilities");

    /// <summary>Installs the packages when libvirtd or its QEMU driver is missing; returns what was done.</summary>
    public static async Task<string> EnsureInstalledAsync(CancellationToken ct)
    {
        if (File.Exists(Daemon) && File.Exists(QemuDriver)) return "libvirt already installed";
        var watch = Stopwatch.StartNew();
        var (code, output) = await RunAsync("apt-get", ["install", "-y", "--no-install-recommends", .. Packages], TimeSpan.FromMinutes(10), ct,
            ("DEBIAN_FRONTEND", "noninteractive"));
        if (code != 0) throw new InvalidOperationException($"apt-get install {string.Join(' ', Packages)} failed ({code}): {Tail(output)}");
        return $"installed {string.Join(' ', Packages)} in {watch.Elapsed.TotalSeconds:0} s";
    }

    /// <param name="qemuAsRoot">false: qemu.conf leaves libvirt's default QEMU user and group (libvirt-qemu), as
    /// Debian's packaged configuration does; used only to show why that re-probes QEMU on every lookup here.</param>
    public static async Task<PrivateLibvirt> StartAsync(string dir, CancellationToken ct, bool qemuAsRoot = true)
    {
        foreach (var sub in MountSources.Append("sock")) Directory.CreateDirectory(Path.Combine(dir, sub));
        foreach (var target in Mounts) Directory.CreateDirectory(target); // empty mount points; nothing is written there
        await File.WriteAllTextAsync(Path.Combine(dir, "etc", "libvirtd.conf"), $"""
            unix_sock_dir = "{dir}/sock"
            unix_sock_rw_perms = "0700"
            auth_unix_rw = "none"
            auth_unix_ro = "none"
            log_filters = "1:qemu.qemu_capabilities 1:util.filecache 1:qemu.qemu_driver 3:qemu.qemu_process 4:*"
            log_outputs = "1:file:{dir}/libvirtd.log"
            """, ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "etc", "qemu.conf"), (qemuAsRoot ? "user = \"root\"\ngroup = \"root\"\n" : "") + """
            dynamic_ownership = 0
            remember_owner = 0
            security_driver = "none"
            stdio_handler = "file"
            cgroup_controllers = [ ]
            namespaces = [ ]
            """, ct);
        // libvirt resolves its built-in default QEMU user and group (libvirt-qemu) before it reads qemu.conf, and fails
        // when they do not exist (libvirt-daemon-system would create them): the namespace sees /etc/passwd and
        // /etc/group with them added, the host's files are not changed.
        await File.WriteAllTextAsync(Path.Combine(dir, "passwd"), await File.ReadAllTextAsync("/etc/passwd", ct) +
            "libvirt-qemu:x:64055:64055:Libvirt Qemu (hangar bench):/var/lib/libvirt:/usr/sbin/nologin\n", ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "group"), await File.ReadAllTextAsync("/etc/group", ct) + "libvirt-qemu:x:64055:\n", ct);
        var binds = $"mount --bind '{dir}/passwd' /etc/passwd && mount --bind '{dir}/group' /etc/group && " +
                    string.Join(" && ", Mounts.Select((m, i) => $"mount --bind '{dir}/{MountSources[i]}' {m}"));
        var start = new ProcessStartInfo("unshare")
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in new[] { "--mount", "--propagation", "private", "--", "sh", "-c",
                     $"{binds} && exec {Daemon} -f '{dir}/etc/libvirtd.conf' -p '{dir}/run/libvirtd.pid' >'{dir}/daemon.out' 2>&1" })
            start.ArgumentList.Add(a);
        var socket = Path.Combine(dir, "sock", "libvirt-sock");
        File.Delete(socket); // a stopped daemon's
        var daemon = Process.Start(start)!;
        var lv = new PrivateLibvirt(dir, daemon);
        var watch = Stopwatch.StartNew();
        while (!File.Exists(socket) || (await lv.VirshAsync(ct, "uri")).Code != 0)
        {
            if (daemon.HasExited)
                throw new InvalidOperationException($"libvirtd exited ({daemon.ExitCode}): {Tail(File.Exists(Path.Combine(dir, "daemon.out")) ? await File.ReadAllTextAsync(Path.Combine(dir, "daemon.out"), ct) : "")}");
            if (watch.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("libvirtd made no socket within 60 s");
            await Task.Delay(50, ct);
        }
        return lv;
    }

    /// <summary>Runs <c>virsh -c URI ARGS</c>; returns its exit code, output and how long it took.</summary>
    public async Task<(int Code, string Output, double Ms)> VirshAsync(CancellationToken ct, params string[] args)
    {
        var t0 = Stopwatch.GetTimestamp();
        var (code, output) = await RunAsync("virsh", ["-c", Uri, .. args], TimeSpan.FromMinutes(5), ct);
        return (code, output, Stats.Ms(t0, Stopwatch.GetTimestamp()));
    }

    public async Task<(string Output, double Ms)> OkAsync(CancellationToken ct, params string[] args)
    {
        var (code, output, ms) = await VirshAsync(ct, args);
        if (code != 0) throw new InvalidOperationException($"virsh {string.Join(' ', args)} failed ({code}): {Tail(output)}");
        return (output, ms);
    }

    /// <summary>Lines of libvirtd's debug log, for counting capability probes and reading why the cache was refused.</summary>
    public string[] LogLines() => File.Exists(LogPath) ? File.ReadAllLines(LogPath) : [];

    /// <summary>How many QEMU binaries libvirt probed so far (one line per probe process it starts), and the reasons it gave for refusing a cached entry.</summary>
    public (int Probes, IReadOnlyList<string> Reasons) ProbeSummary(int fromLine = 0)
    {
        var lines = LogLines().Skip(fromLine).ToArray();
        var probes = lines.Count(l => ProbeLine().IsMatch(l));
        var reasons = lines.Where(l => l.Contains("Outdated", StringComparison.Ordinal) || l.Contains("No cached data", StringComparison.Ordinal)
                || l.Contains("KVM was", StringComparison.Ordinal))
            .Select(l => Regex.Replace(l, @"^\S+ \S+ \d+: debug : ", "")).Select(l => l.Length > 200 ? l[..200] : l).Distinct().ToList();
        return (probes, reasons);
    }

    // One "Saved caps" line per binary probed (virQEMUCapsSaveFile); a cache hit logs "Loaded cached data" instead.
    [GeneratedRegex(@"virQEMUCapsSaveFile.*Saved caps")]
    private static partial Regex ProbeLine();

    private static string Tail(string text) => text.Length > 2000 ? text[^2000..] : text;

    private static async Task<(int Code, string Output)> RunAsync(string file, IReadOnlyList<string> args, TimeSpan limit, CancellationToken ct,
        params (string Name, string Value)[] env)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in env) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Stops libvirtd (SIGTERM, then SIGKILL after 10 s). Its QEMUs and passt helpers are the caller's to sweep.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        var pidFile = Path.Combine(Dir, "run", "libvirtd.pid");
        var pids = new List<int>();
        try { if (!_daemon.HasExited) pids.Add(_daemon.Id); } catch (InvalidOperationException) { }
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) pids.Add(pid);
        foreach (var p in pids.Distinct())
        {
            try { Process.GetProcessById(p).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        }
        await Proc.KillAndWaitAsync(pids, TimeSpan.FromSeconds(10));
        _daemon.Dispose();
    }
}
