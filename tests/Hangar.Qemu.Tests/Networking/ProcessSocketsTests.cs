using System.Net;
using System.Net.Sockets;
using Hangar.Qemu.Networking;

namespace Hangar.Qemu.Tests.Networking;

/// <summary>ProcessSockets against this process's own loopback connections, read back from the kernel's real tables.</summary>
public sealed class ProcessSocketsTests
{
    [Fact]
    public void FindTcpSocket_AcceptedConnection_GivesTheDescriptorThatStillHoldsIt()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var listenPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, listenPort);
        var accepted = listener.AcceptTcpClient();
        var clientPort = ((IPEndPoint)client.Client.LocalEndPoint!).Port;

        // The server side of the connection: local is the listener's port, remote the client's.
        var found = ProcessSockets.FindTcpSocket(Environment.ProcessId, listenPort, clientPort);

        Assert.NotNull(found);
        var (fd, inode) = found.Value;
        Assert.Equal((int)accepted.Client.Handle, fd);
        Assert.True(ProcessSockets.StillHolds(Environment.ProcessId, fd, inode));
        accepted.Dispose();
        Assert.False(ProcessSockets.StillHolds(Environment.ProcessId, fd, inode));
    }

    [Fact]
    public void FindTcpSocket_NoSuchConnection_Null()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        Assert.Null(ProcessSockets.FindTcpSocket(Environment.ProcessId, port, port));
    }
}
