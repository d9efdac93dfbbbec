namespace Hangar.Integration.Support;

/// <summary>The open descriptors of a process (the hangar server), as <c>readlink /proc/PID/fd/N</c> names them.</summary>
public sealed class ServerDescriptors
{
    private ServerDescriptors(IReadOnlyDictionary<int, string> targets) => Targets = targets;

    /// <summary>Descriptor number → target: a path, <c>pipe:[inode]</c>, <c>socket:[inode]</c>, <c>anon_inode:…</c>.</summary>
    public IReadOnlyDictionary<int, string> Targets { get; }

    public int Count => Targets.Count;

    public static ServerDescriptors Read(int pid)
    {
        var targets = new Dictionary<int, string>();
        foreach (var link in Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(link).LinkTarget is { } target) targets[int.Parse(Path.GetFileName(link))] = target;
            }
            catch (IOException)
            {
                // Closed between the listing and the readlink.
            }
        }
        return new ServerDescriptors(targets);
    }

    /// <summary>How many of each kind: "file", "pipe", "socket", "anon_inode".</summary>
    public string Summary() => string.Join(", ", Targets.Values
        .GroupBy(t => t.StartsWith('/') ? "file" : t.Split(':')[0])
        .OrderBy(g => g.Key)
        .Select(g => $"{g.Count()} {g.Key}"));

    /// <summary>Descriptors open now (number and target) that were not open in <paramref name="earlier"/>.</summary>
    public IEnumerable<string> OpenedSince(ServerDescriptors earlier) => Targets
        .Where(t => !earlier.Targets.TryGetValue(t.Key, out var before) || before != t.Value)
        .OrderBy(t => t.Key)
        .Select(t => $"{t.Key} → {t.Value}");
}
