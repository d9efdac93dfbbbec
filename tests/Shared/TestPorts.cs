using System.Net;
using System.Net.Sockets;

namespace Hangar.Testing;

/// <summary>
/// Host ports for tests that must name a port before anything listens on it (a QEMU forward in a fleet file).
/// Picking an ephemeral port and letting it go before QEMU binds it races with every other connection on the
/// machine; instead a port is taken from a range below the kernel's ephemeral range (never handed out to outgoing
/// connections) and held, across every test process of the run, by an exclusive lock file until the lease ends.
/// </summary>
public static class TestPorts
{
    /// <summary>Below <c>net.ipv4.ip_local_port_range</c>'s usual start (32768).</summary>
    private const int First = 20000, Count = 10000;

    private static readonly string LockDirectory = Path.Combine(Path.GetTempPath(), "hangar-test-ports");

    /// <summary>A port free now and reserved for this test until the lease is disposed.</summary>
    public static PortLease Reserve()
    {
        Directory.CreateDirectory(LockDirectory);
        var start = Random.Shared.Next(Count);
        for (var i = 0; i < Count; i++)
        {
            var port = First + (start + i) % Count;
            FileStream? lockFile = null;
            try
            {
                lockFile = new FileStream(Path.Combine(LockDirectory, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                continue; // another test holds it
            }
            if (IsFree(port)) return new PortLease(port, lockFile);
            lockFile.Dispose();
        }
        throw new InvalidOperationException($"No free port from {First} to {First + Count - 1}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>A reserved port; disposing lets another test take it.</summary>
public sealed class PortLease(int port, FileStream lockFile) : IDisposable
{
    public int Port { get; } = port;

    public void Dispose() => lockFile.Dispose();
}
