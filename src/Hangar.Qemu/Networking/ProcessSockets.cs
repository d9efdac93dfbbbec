using System.Globalization;

namespace Hangar.Qemu.Networking;

/// <summary>
/// Finds which file descriptor of a process holds a given loopback TCP connection, from the kernel's socket table
/// (<c>/proc/PID/net/tcp</c>, in that process's network namespace) and its descriptor links
/// (<c>/proc/PID/fd/N → socket:[INODE]</c>). Linux only; a process of another user needs root.
/// </summary>
public static class ProcessSockets
{
    /// <summary>
    /// The descriptor of <paramref name="pid"/>'s IPv4 TCP socket from 127.0.0.1:<paramref name="localPort"/> to
    /// 127.0.0.1:<paramref name="remotePort"/>, with its socket inode; null when there is none yet (a connection still
    /// in the listen queue has no descriptor until it is accepted).
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">This process may not read the other's descriptor table.</exception>
    public static (int Fd, ulong Inode)? FindTcpSocket(int pid, int localPort, int remotePort)
    {
        if (FindInode(pid, localPort, remotePort) is not { } inode) return null;
        return FindFd(pid, inode) is { } fd ? (fd, inode) : null;
    }

    /// <summary>Whether descriptor <paramref name="fd"/> of <paramref name="pid"/> is still the socket <paramref name="inode"/>.</summary>
    public static bool StillHolds(int pid, int fd, ulong inode) =>
        ReadLink($"/proc/{pid}/fd/{fd}") == SocketLink(inode);

    private static ulong? FindInode(int pid, int localPort, int remotePort)
    {
        string[] lines;
        try { lines = File.ReadAllLines($"/proc/{pid}/net/tcp"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        // The kernel writes an IPv4 address as the hex of its 32-bit value in host (little-endian) order.
        var local = $"0100007F:{localPort:X4}";
        var remote = $"0100007F:{remotePort:X4}";
        foreach (var line in lines.Skip(1))
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10) continue;
            if (fields[1] != local || fields[2] != remote) continue;
            if (ulong.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode) && inode != 0)
                return inode;
        }
        return null;
    }

    private static int? FindFd(int pid, ulong inode)
    {
        var link = SocketLink(inode);
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                if (ReadLink(entry) == link
                    && int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
                    return fd;
            }
        }
        catch (IOException)
        {
            // the process is gone
        }
        return null;
    }

    private static string SocketLink(ulong inode) => $"socket:[{inode.ToString(CultureInfo.InvariantCulture)}]";

    private static string? ReadLink(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
