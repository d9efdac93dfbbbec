using System.Globalization;

namespace Hangar.Qemu.Networking;

/// <summary>
/// Who holds a host port on this machine: the processes with a socket bound to it, found from the kernel's socket
/// tables (<c>/proc/net/tcp</c>, <c>tcp6</c>, <c>udp</c>, <c>udp6</c>, in this process's network namespace) and the
/// descriptor links of every process (<c>/proc/PID/fd/N → socket:[INODE]</c>). Used when QEMU could not set up a
/// forward, so that the error names the program in the way, as <c>ss -lptn</c> would. Linux only; processes of other
/// users are found only as root (otherwise the port is reported as held by someone this agent cannot see).
/// </summary>
public static class PortHolders
{
    /// <summary>A process holding the port.</summary>
    public sealed record Holder(int Pid, string Command);

    /// <summary>
    /// The processes with a <paramref name="protocol"/> (<c>tcp</c> or <c>udp</c>) socket bound to local port
    /// <paramref name="port"/> on any address: for TCP a listening socket, for UDP any bound socket.
    /// </summary>
    /// <returns>Whether such a socket exists at all, and who holds it (empty when the holders cannot be seen).</returns>
    public static (bool Bound, IReadOnlyList<Holder> Holders) Find(string protocol, int port)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        var tcp = protocol.Equals("tcp", StringComparison.OrdinalIgnoreCase);
        var tables = tcp ? new[] { "/proc/net/tcp", "/proc/net/tcp6" } : ["/proc/net/udp", "/proc/net/udp6"];
        var inodes = new HashSet<ulong>();
        foreach (var table in tables) Collect(table, port, tcp, inodes);
        if (inodes.Count == 0) return (false, []);
        return (true, Owners(inodes));
    }

    /// <summary>
    /// One line for an error: <c>in use by python3 (pid 1234)</c>, <c>in use by another process (not visible to this
    /// agent)</c>, or, when no socket holds it, null (the port is free now, or the failure was something else, such
    /// as a privileged port).
    /// </summary>
    public static string? Describe(string protocol, int port)
    {
        var (bound, holders) = Find(protocol, port);
        if (!bound) return null;
        if (holders.Count == 0) return "in use by another process (not visible to this agent)";
        return "in use by " + string.Join(", ", holders.Take(3).Select(h => $"{h.Command} (pid {h.Pid})"))
            + (holders.Count > 3 ? $" and {holders.Count - 3} more" : "");
    }

    private static void Collect(string table, int port, bool tcp, HashSet<ulong> inodes)
    {
        foreach (var row in SocketTable.Rows(table))
        {
            // TCP: only a listening socket (0A) holds the port against a new listener; a connection's local port does not.
            if (row.HasLocalPort(port) && (!tcp || row.State == "0A")) inodes.Add(row.Inode);
        }
    }

    private static List<Holder> Owners(HashSet<ulong> inodes)
    {
        var links = inodes.Select(SocketTable.SocketLink).ToHashSet(StringComparer.Ordinal);
        var holders = new List<Holder>();
        IEnumerable<string> processes;
        try { processes = Directory.EnumerateDirectories("/proc"); }
        catch (IOException) { return holders; }
        foreach (var directory in processes)
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (HoldsAny(pid, links)) holders.Add(new Holder(pid, Command(directory)));
        }
        return holders;
    }

    private static bool HoldsAny(int pid, HashSet<string> links)
    {
        try { return SocketTable.Descriptors(pid).Any(d => links.Contains(d.Target)); }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static string Command(string process)
    {
        try { return File.ReadAllText(Path.Combine(process, "comm")).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "?"; }
    }
}
