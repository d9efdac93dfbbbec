namespace Hangar.Qemu.Tests.TestSupport;

/// <summary>One open descriptor of a process: its number and what <c>readlink /proc/PID/fd/N</c> says it is.</summary>
internal sealed record OpenDescriptor(int Number, string Target)
{
    /// <summary>A file on a file system (an assembly, a log), as opposed to a pipe, socket or anonymous inode.</summary>
    public bool IsRegularFile => Target.StartsWith('/');

    public override string ToString() => $"{Number} → {Target}";
}

/// <summary>The open descriptors of a process at one moment, read from <c>/proc/PID/fd</c>.</summary>
internal sealed class OpenDescriptors
{
    private readonly HashSet<OpenDescriptor> _all;

    private OpenDescriptors(HashSet<OpenDescriptor> all) => _all = all;

    public int Count => _all.Count;

    public static OpenDescriptors Read(string pid = "self")
    {
        var all = new HashSet<OpenDescriptor>();
        foreach (var link in Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(link).LinkTarget is { } target)
                    all.Add(new OpenDescriptor(int.Parse(Path.GetFileName(link)), target));
            }
            catch (IOException)
            {
                // Closed between the listing and the readlink (the listing itself holds one for a moment).
            }
        }
        return new OpenDescriptors(all);
    }

    /// <summary>
    /// Descriptors open now that were not open in <paramref name="earlier"/>. A pipe or socket's target names its
    /// inode, so a number reused for a new pipe counts as new.
    /// </summary>
    public IReadOnlyList<OpenDescriptor> OpenedSince(OpenDescriptors earlier) =>
        _all.Except(earlier._all).OrderBy(d => d.Number).ToList();
}
