using System.Globalization;

namespace Hangar.Bench;

/// <summary>
/// libvirt's QEMU capability probe, timed apart from any boot: <c>virsh capabilities</c> and <c>domcapabilities</c>
/// on a fresh daemon with an empty cache (cold), again on the same daemon (warm), and on a restarted daemon that finds
/// the cache on disk; each with the number of probes libvirtd's debug log shows and the reasons it gave for refusing a
/// cached entry.
/// </summary>
internal static class LibvirtProbe
{
    private static PrivateLibvirt? _restarted;

    public static async Task<List<string>> MeasureAsync(PrivateLibvirt lv, CancellationToken ct)
    {
        var lines = new List<string>();
        foreach (var label in new[] { "cold (fresh daemon, empty cache)", "warm (same daemon)" })
            lines.AddRange(await TimeBothAsync(lv, label, ct));
        lines.Add("cache: " + CacheFiles(lv));
        return lines;
    }

    public static async Task<List<string>> AfterRestartAsync(PrivateLibvirt lv, string dir, CancellationToken ct)
    {
        await lv.DisposeAsync();
        var logFrom = lv.LogLines().Length;
        _restarted = await PrivateLibvirt.StartAsync(dir, ct);
        var lines = await TimeBothAsync(_restarted, "restarted daemon, cache on disk", ct);
        var (_, reasons) = _restarted.ProbeSummary(logFrom);
        lines.AddRange(reasons.Take(5).Select(r => "   log: " + r));
        return lines;
    }

    /// <summary>
    /// The same daemon with libvirt's default QEMU user (libvirt-qemu, as Debian's qemu.conf has it) and a cache of
    /// its own: <c>virsh capabilities</c> three times. Here /dev/kvm is <c>root:root 0600</c> (no udev, no kvm group),
    /// so that user cannot open it while the probe found KVM: libvirt refuses its cached capabilities at every
    /// lookup ("KVM was enabled when probing …, but it is not available now") and probes again.
    /// </summary>
    public static async Task<List<string>> DefaultUserAsync(string dir, string tag, CancellationToken ct)
    {
        var lines = new List<string>();
        await using var lv = await PrivateLibvirt.StartAsync(dir, ct, qemuAsRoot: false);
        for (var i = 1; i <= 3; i++)
        {
            var from = lv.LogLines().Length;
            var (_, ms) = await lv.OkAsync(ct, "capabilities");
            var (probes, reasons) = lv.ProbeSummary(from);
            lines.Add($"default QEMU user (libvirt-qemu), call {i}: virsh capabilities {ms / 1000:0.00} s, binaries probed: {probes}");
            if (i == 2) lines.AddRange(reasons.Where(r => !r.Contains("No cached", StringComparison.Ordinal)).Take(3).Select(r => "   log: " + r));
        }
        // What that costs a `virsh create`: a domain with nothing to boot, started paused, then destroyed.
        var xml = Path.Combine(dir, "probe.xml");
        await File.WriteAllTextAsync(xml, $"""
            <domain type="qemu">
              <name>{tag}-probe</name>
              <memory unit="MiB">64</memory>
              <os><type arch="x86_64" machine="pc">hvm</type></os>
              <devices><controller type="usb" model="none"/><memballoon model="none"/></devices>
            </domain>
            """, ct);
        var before = lv.LogLines().Length;
        var (code, output, createMs) = await lv.VirshAsync(ct, "create", "--paused", xml);
        var (created, _) = lv.ProbeSummary(before);
        lines.Add($"default QEMU user (libvirt-qemu): virsh create --paused of an empty domain {createMs / 1000:0.0} s, binaries probed during it: {created}" +
                  (code == 0 ? "" : $" (failed: {output.Trim().Split('\n').Last()})"));
        await lv.VirshAsync(CancellationToken.None, "destroy", $"{tag}-probe");
        lines.Add($"/dev/kvm here: {DevKvm()}");
        return lines;
    }

    private static string DevKvm()
    {
        if (!File.Exists("/dev/kvm")) return "absent";
        var mode = File.GetUnixFileMode("/dev/kvm");
        return $"mode {Convert.ToString((int)mode, 8)}, {(File.ReadAllText("/etc/group").Split('\n').Any(l => l.StartsWith("kvm:", StringComparison.Ordinal)) ? "a kvm group exists" : "no kvm group")}";
    }

    private static async Task<List<string>> TimeBothAsync(PrivateLibvirt lv, string label, CancellationToken ct)
    {
        var from = lv.LogLines().Length;
        var (_, caps) = await lv.OkAsync(ct, "capabilities");
        var (_, dom) = await lv.OkAsync(ct, "domcapabilities", "--virttype", "qemu", "--emulatorbin", "/usr/bin/qemu-system-x86_64");
        var (probes, reasons) = lv.ProbeSummary(from);
        var lines = new List<string> { $"{label}: virsh capabilities {caps / 1000:0.00} s, domcapabilities {dom / 1000:0.00} s; binaries probed: {probes}" };
        lines.AddRange(reasons.Take(5).Select(r => "   log: " + r));
        return lines;
    }

    private static string CacheFiles(PrivateLibvirt lv) =>
        Directory.Exists(lv.CapabilityCache)
            ? string.Join(", ", Directory.GetFiles(lv.CapabilityCache).Select(f =>
                $"{Path.GetFileName(f)[..Math.Min(12, Path.GetFileName(f).Length)]}… {new FileInfo(f).Length / 1024} KiB, {File.GetLastWriteTimeUtc(f).ToString("HH:mm:ss", CultureInfo.InvariantCulture)}"))
            : "none";

    /// <summary>Stops the daemon(s) and every helper of theirs (QEMU, passt) whose command line names this run's tag or directory.</summary>
    public static async Task StopAsync(PrivateLibvirt lv, string tag)
    {
        try
        {
            await lv.DisposeAsync();
            if (_restarted is not null) await _restarted.DisposeAsync();
        }
        catch (Exception e) { Console.Error.WriteLine($"cleanup: libvirtd: {e.Message}"); }
        var left = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var cmd = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmd.Contains(tag, StringComparison.Ordinal) || cmd.Contains(lv.Dir, StringComparison.Ordinal)) left.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        if (left.Count > 0) Console.Error.WriteLine($"cleanup: killed {left.Count} leftover libvirt process(es) (libvirtd, passt, QEMU)");
        await Proc.KillAndWaitAsync(left, TimeSpan.FromSeconds(10));
    }
}
