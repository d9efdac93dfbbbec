using Microsoft.Win32.SafeHandles;

namespace Hangar.Client;

/// <summary>
/// The Hangar home and the files in it that only its owner may read (credentials, the log). Each is created with its
/// final mode — never written at the umask's mode and chmod'ed after, which leaves a moment when others can open it.
/// docs/architecture.md, "Files and permissions", lists them.
/// </summary>
public static class PrivateFiles
{
    /// <summary>0700.</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>0600.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Creates the home (and missing parents) 0700. The default home (<see cref="HomeDirectory.Default"/>) is Hangar's
    /// alone, so one that others may read (made by an older Hangar) is made 0700. Any other existing home is left as
    /// it is, and a warning returned when others may read it: <c>HANGAR_HOME</c> can name a directory that is not
    /// Hangar's alone (a shared <c>/tmp</c>, a user's own home), and changing the mode of such a directory would break
    /// other programs. What Hangar writes into it is private all the same.
    /// </summary>
    /// <param name="home">The home.</param>
    /// <param name="hangarsOwn">The home is Hangar's alone (the default one): tighten it rather than warn.</param>
    /// <returns>A warning for the operator, or null.</returns>
    public static string? CreateHome(string home, bool hangarsOwn)
    {
        if (!Directory.Exists(home))
        {
            Directory.CreateDirectory(home, DirectoryMode);
            return null;
        }
        var mode = File.GetUnixFileMode(home);
        if ((mode & GroupOrOther) == 0) return null;
        if (hangarsOwn)
        {
            File.SetUnixFileMode(home, DirectoryMode);
            return null;
        }
        return $"The Hangar home {home} is open to other users (mode {Convert.ToString((int)mode, 8)}); " +
               $"make it private with: chmod 700 {home}";
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="text"/> in one step: a temporary file next to it,
    /// created 0600, then renamed over it. Readers see the old content or the new, never part of it.
    /// </summary>
    public static void WriteAllText(string path, string text)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        // A leftover of an earlier process with the same pid would keep its own mode when opened: start afresh.
        File.Delete(temp);
        using (var stream = new FileStream(temp, new FileStreamOptions
               {
                   Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode,
               }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Opens <paramref name="path"/> for appending, creating it 0600. A file that already exists open to others (written
    /// by an older Hangar) is made private: it is Hangar's own.
    /// </summary>
    public static FileStream OpenAppend(string path)
    {
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = System.IO.FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite, UnixCreateMode = FileMode,
        });
        MakePrivate(stream.SafeFileHandle);
        return stream;
    }

    private static void MakePrivate(SafeFileHandle file)
    {
        if ((File.GetUnixFileMode(file) & GroupOrOther) != 0) File.SetUnixFileMode(file, FileMode);
    }
}
