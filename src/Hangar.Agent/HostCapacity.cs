namespace Hangar.Agent;

/// <summary>What this host offers VMs, as an agent reports it in <c>hello</c>: its CPUs and its memory.</summary>
public static class HostCapacity
{
    public static int Vcpus => Environment.ProcessorCount;

    /// <summary><c>MemTotal</c> of <c>/proc/meminfo</c>; what the runtime sees when that cannot be read.</summary>
    public static long MemoryBytes
    {
        get
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/meminfo"))
                {
                    // "MemTotal:       24683420 kB"
                    if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length >= 3 && parts[2] == "kB" && long.TryParse(parts[1], out var kib)) return kib * 1024;
                }
            }
            catch (IOException)
            {
            }
            return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        }
    }
}
