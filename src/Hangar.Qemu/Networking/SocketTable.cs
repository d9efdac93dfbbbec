using System.Globalization;

namespace Hangar.Qemu.Networking;

/// <summary>
/// Reads the kernel's socket tables (<c>/proc/net/tcp</c> and its siblings) and processes' descriptor links
/// (<c>/proc/PID/fd/N → socket:[INODE]</c>): the part <see cref="PortHolders"/> and <see cref="ProcessSockets"/>
/// share. Linux only; a file that cannot be read (gone, or another user's without root) reads as empty.
/// </summary>
internal static class SocketTable
{
    /// <summary>
    /// One socket of a table: its local and remote address as the kernel writes them (<c>0100007F:1F90</c>, the
    /// address as the hex of its value in host order, the port as four hex digits), its state (<c>0A</c> is TCP's
    /// LISTEN) and its inode.
    /// </summary>
    public readonly record struct Row(string Local, string Remote, string State, ulong Inode)
    {
        /// <summary>Whether the local address's port is <paramref name="port"/>, on any address.</summary>
        public bool HasLocalPort(int port)
        {
            var colon = Local.LastIndexOf(':');
            return colon >= 0 && Local.AsSpan(colon + 1).Equals(Port(port), StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>The rows of <paramref name="table"/> with an inode (a socket in TIME_WAIT has none); none when it cannot be read.</summary>
    public static IEnumerable<Row> Rows(string table)
    {
        string[] lines;
        try { lines = File.ReadAllLines(table); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { yield break; }
        foreach (var line in lines.Skip(1))
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10) continue;
            if (ulong.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode) && inode != 0)
                yield return new Row(fields[1], fields[2], fields[3], inode);
        }
    }

    /// <summary>An IPv4 loopback address with <paramref name="port"/>, as the tables write it.</summary>
    public static string Loopback(int port) => "0100007F:" + Port(port);

    /// <summary>The target a descriptor of socket <paramref name="inode"/> links to.</summary>
    public static string SocketLink(ulong inode) => $"socket:[{inode.ToString(CultureInfo.InvariantCulture)}]";

    /// <summary>The descriptors of process <paramref name="pid"/> and what each links to; none when the process is gone.</summary>
    /// <exception cref="UnauthorizedAccessException">This process may not read the other's descriptor table.</exception>
    public static IEnumerable<(int Fd, string Target)> Descriptors(int pid)
    {
        List<(int, string)> found = [];
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                if (ReadLink(entry) is { } target
                    && int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
                    found.Add((fd, target));
            }
        }
        catch (IOException)
        {
            // the process is gone
        }
        return found;
    }

    /// <summary>What the symbolic link <paramref name="path"/> points to; null when it is gone or not readable.</summary>
    public static string? ReadLink(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static string Port(int port) => port.ToString("X4", CultureInfo.InvariantCulture);
}
