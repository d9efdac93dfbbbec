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
        var local = SocketTable.Loopback(localPort);
        var remote = SocketTable.Loopback(remotePort);
        foreach (var row in SocketTable.Rows($"/proc/{pid}/net/tcp"))
        {
            if (row.Local != local || row.Remote != remote) continue;
            var link = SocketTable.SocketLink(row.Inode);
            foreach (var (fd, target) in SocketTable.Descriptors(pid))
                if (target == link) return (fd, row.Inode);
            return null;
        }
        return null;
    }

    /// <summary>Whether descriptor <paramref name="fd"/> of <paramref name="pid"/> is still the socket <paramref name="inode"/>.</summary>
    public static bool StillHolds(int pid, int fd, ulong inode) =>
        SocketTable.ReadLink($"/proc/{pid}/fd/{fd}") == SocketTable.SocketLink(inode);
}
