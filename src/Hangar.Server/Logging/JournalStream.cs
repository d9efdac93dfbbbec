namespace Hangar.Server.Logging;

/// <summary>
/// Whether the daemon's standard error is connected to systemd's journal, by sd-daemon(3)'s convention: systemd sets
/// <c>JOURNAL_STREAM=DEVICE:INODE</c> to the stream it connected, and a process whose stderr is that stream may prefix
/// its lines with <c>&lt;N&gt;</c> priorities. A child that inherited the variable but whose stderr goes elsewhere (a
/// file, a pipe) must not, so the inode is compared with stderr's, read from <c>/proc/self/fd/2</c> (journald's stream
/// is a socket: <c>socket:[INODE]</c>). When /proc cannot say, the variable alone decides.
/// </summary>
public static class JournalStream
{
    /// <param name="variable">The value of <c>JOURNAL_STREAM</c>, null when unset.</param>
    /// <param name="stderrLink">The target of <c>/proc/self/fd/2</c>, null when it cannot be read.</param>
    public static bool IsJournal(string? variable, string? stderrLink)
    {
        if (string.IsNullOrEmpty(variable)) return false;
        var colon = variable.IndexOf(':');
        if (colon < 0 || !ulong.TryParse(variable.AsSpan(colon + 1), out var inode)) return false;
        if (stderrLink is null) return true;
        return stderrLink == $"socket:[{inode}]";
    }

    /// <summary>Whether this process's stderr is the journal.</summary>
    public static bool StandardErrorIsJournal()
    {
        string? link;
        try { link = new FileInfo("/proc/self/fd/2").LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { link = null; }
        return IsJournal(Environment.GetEnvironmentVariable("JOURNAL_STREAM"), link);
    }
}
