using System.Globalization;
using Hangar.Qemu.Internal;

namespace Hangar.Qemu;

/// <summary>
/// What a QEMU process has used, read from <c>/proc/PID</c>: CPU time (user + system, <c>stat</c> fields 14 and 15, all
/// of its threads: vCPUs, I/O, the main loop) and resident memory (<c>VmRSS</c> of <c>status</c>: guest RAM it touched
/// plus QEMU's own).
/// </summary>
/// <param name="CpuSeconds">utime + stime, in seconds.</param>
/// <param name="ResidentBytes">VmRSS, in bytes.</param>
public sealed record QemuProcessUsage(double CpuSeconds, long ResidentBytes)
{
    private static readonly Lazy<long> TicksPerSecond = new(() => LibC.SysConf(LibC.ScClkTck) is > 0 and var ticks ? ticks : 100);

    /// <summary>The usage of process <paramref name="pid"/>; null when it is gone (or not readable).</summary>
    public static QemuProcessUsage? Read(int pid)
    {
        var dir = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}";
        try
        {
            return Parse(File.ReadAllText(dir + "/stat"), File.ReadAllText(dir + "/status"), TicksPerSecond.Value);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses <c>/proc/PID/stat</c> and <c>/proc/PID/status</c>; null when either lacks the fields.</summary>
    public static QemuProcessUsage? Parse(string stat, string status, long ticksPerSecond)
    {
        // The command name (field 2) is in parentheses and may hold spaces and ')': fields are counted after the last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const int utime = 14 - 3, stime = 15 - 3; // fields[0] is field 3
        if (fields.Length <= stime
            || !ulong.TryParse(fields[utime], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            || !ulong.TryParse(fields[stime], NumberStyles.None, CultureInfo.InvariantCulture, out var system)) return null;
        long? rss = null;
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            // "VmRSS:	   12345 kB"
            var parts = line["VmRSS:".Length..].Split(' ', '\t').Where(p => p.Length > 0).ToArray();
            if (parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib)) rss = kib * 1024;
        }
        return rss is { } bytes ? new QemuProcessUsage((user + system) / (double)ticksPerSecond, bytes) : null;
    }
}
