using System.Globalization;
using System.Runtime.InteropServices;

namespace Hangar.Bench;

/// <summary>/proc and kill(2): liveness of daemonized QEMUs (not our children), RSS, and the leftover sweep.</summary>
internal static class Proc
{
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    private const int SIGKILL = 9;
    private const int CLOCK_PROCESS_CPUTIME_ID = 2;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    /// <summary>CPU time (user + system, all threads) this process has used, in ms, with µs resolution.</summary>
    public static double SelfCpuMs()
    {
        ClockGetTime(CLOCK_PROCESS_CPUTIME_ID, out var t);
        return t.Seconds * 1000.0 + t.Nanoseconds / 1e6;
    }

    /// <summary>True while the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static void Kill(int pid)
    {
        if (pid > 0) SysKill(pid, SIGKILL);
    }

    /// <summary>Kills the processes and waits (up to <paramref name="timeout"/>) until all are gone.</summary>
    public static async Task KillAndWaitAsync(IEnumerable<int> pids, TimeSpan timeout)
    {
        var list = pids.Where(p => p > 0).Distinct().ToList();
        foreach (var pid in list) Kill(pid);
        var deadline = DateTime.UtcNow + timeout;
        while (list.Any(IsAlive) && DateTime.UtcNow < deadline) await Task.Delay(10);
    }

    /// <summary>
    /// QEMU (and qemu-img) processes whose command line mentions <paramref name="marker"/> (the bench's root
    /// directory: every QEMU of the bench has a socket or log path under it). The bench itself is never matched.
    /// </summary>
    public static List<int> FindQemu(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (pid == Environment.ProcessId) continue;
            try
            {
                var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (args.Length == 0 || !Path.GetFileName(args[0]).StartsWith("qemu", StringComparison.Ordinal)) continue;
                if (args.Any(a => a.Contains(marker, StringComparison.Ordinal))) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    /// <summary>Number of qemu-system processes on the host that are not the bench's: other load on the machine.</summary>
    public static int CountForeignQemu(string marker)
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (args.Length > 0 && Path.GetFileName(args[0]).StartsWith("qemu-system", StringComparison.Ordinal)
                    && !args.Any(a => a.Contains(marker, StringComparison.Ordinal))) count++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return count;
    }

    /// <summary>VmRSS of this process in bytes.</summary>
    public static long SelfRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
            return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        return -1;
    }

    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }
}
