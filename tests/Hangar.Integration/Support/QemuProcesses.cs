namespace Hangar.Integration.Support;

/// <summary>Finds live QEMU processes by what their command line names (their runtime directory), from /proc.</summary>
public static class QemuProcesses
{
    public static IReadOnlyList<int> Under(string runtimeDirectory)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(System.IO.Path.Combine(dir, "cmdline"));
                if (!cmdline.StartsWith("qemu-system", StringComparison.Ordinal) && !cmdline.Contains("/qemu-system", StringComparison.Ordinal)) continue;
                if (!cmdline.Contains(runtimeDirectory + "/", StringComparison.Ordinal)) continue;
                var stat = File.ReadAllText(System.IO.Path.Combine(dir, "stat"));
                if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) continue; // exited, not reaped
                pids.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }

    public static string CommandLine(int pid) => File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');

    /// <summary>The process's arguments as it was given them, the program first.</summary>
    public static IReadOnlyList<string> Arguments(int pid) => File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Split('\0');

    public static void Kill(int pid)
    {
        try { System.Diagnostics.Process.GetProcessById(pid).Kill(); }
        catch (ArgumentException) { }
        catch (InvalidOperationException) { }
    }
}
