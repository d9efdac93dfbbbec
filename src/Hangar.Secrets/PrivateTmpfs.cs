namespace Hangar.Secrets;

/// <summary>
/// A private directory (0700) on a tmpfs, for a secret's plaintext while an editor has it: memory, never a disk
/// (<c>$XDG_RUNTIME_DIR</c> or <c>/dev/shm</c>, whichever is a tmpfs; the kernel's mount table says which). Deleted,
/// contents overwritten first, when disposed.
/// </summary>
public sealed class PrivateTmpfs : IDisposable
{
    private PrivateTmpfs(string path) => Path = path;

    public string Path { get; }

    /// <summary>A new private directory on a tmpfs.</summary>
    /// <exception cref="IOException">No tmpfs is writable here: plaintext would have to go to a disk.</exception>
    public static PrivateTmpfs Create()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR"), "/dev/shm", $"/run/user/{Environment.UserName}" };
        foreach (var candidate in candidates)
        {
            if (string.IsNullOrEmpty(candidate) || !Directory.Exists(candidate) || FileSystemOf(candidate) != "tmpfs") continue;
            try
            {
                var path = System.IO.Path.Combine(candidate, $"hangar-secret-{Guid.NewGuid():N}");
                Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                return new PrivateTmpfs(path);
            }
            catch (UnauthorizedAccessException)
            {
                // try the next
            }
        }
        throw new IOException("no writable tmpfs ($XDG_RUNTIME_DIR or /dev/shm) to edit a secret in; Hangar does not put plaintext on a disk");
    }

    /// <summary>The file system type of the mount that holds <paramref name="path"/>, from /proc/self/mountinfo.</summary>
    public static string? FileSystemOf(string path)
    {
        var full = System.IO.Path.GetFullPath(path).TrimEnd('/') + "/";
        string? best = null, type = null;
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // id parent major:minor root mount-point options [optional…] - fstype source super-options
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || dash < 0 || dash + 1 >= fields.Length) continue;
            var mountPoint = fields[4].Replace("\\040", " ", StringComparison.Ordinal).TrimEnd('/') + "/";
            if (!full.StartsWith(mountPoint, StringComparison.Ordinal) || (best is not null && mountPoint.Length < best.Length)) continue;
            best = mountPoint;
            type = fields[dash + 1];
        }
        return type;
    }

    public void Dispose() => Shred(Path);

    /// <summary>Overwrites each file under <paramref name="directory"/> with zeros, then removes the directory; nothing when it is gone.</summary>
    public static void Shred(string directory)
    {
        if (!Directory.Exists(directory)) return;
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            try
            {
                var length = new FileInfo(file).Length;
                using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write)) stream.Write(new byte[length]);
            }
            catch (IOException)
            {
                // deleted below all the same
            }
        }
        Directory.Delete(directory, recursive: true);
    }
}
