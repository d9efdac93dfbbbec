using System.Net;
using System.Net.Sockets;
using Hangar.Qemu.Networking;

namespace Hangar.Qemu.Tests.Networking;

/// <summary>PortHolders against this process's own sockets, read back from the kernel's real tables.</summary>
public sealed class PortHoldersTests
{
    [Fact]
    public void Find_TcpListenerOfThisProcess_NamesThisProcess()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var (bound, holders) = PortHolders.Find("tcp", port);

        Assert.True(bound);
        Assert.Contains(holders, h => h.Pid == Environment.ProcessId);
        Assert.Contains($"(pid {Environment.ProcessId})", PortHolders.Describe("tcp", port));
    }

    [Fact]
    public void Find_TcpPortUsedOnlyByAConnectionsLocalEnd_NotBound()
    {
        // A connection's local port does not stop a listener from binding it, so it is not "in use" for a forward.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = listener.AcceptTcpClient();
        var clientPort = ((IPEndPoint)client.Client.LocalEndPoint!).Port;

        Assert.False(PortHolders.Find("tcp", clientPort).Bound);
        Assert.Null(PortHolders.Describe("tcp", clientPort));
    }

    [Fact]
    public void Find_UdpSocketOfThisProcess_NamesThisProcessAndNotForTcp()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;

        var (bound, holders) = PortHolders.Find("udp", port);

        Assert.True(bound);
        Assert.Contains(holders, h => h.Pid == Environment.ProcessId);
        Assert.DoesNotContain(PortHolders.Find("tcp", port).Holders, h => h.Pid == Environment.ProcessId);
    }

    [Fact]
    public void ForwardProblem_QemusForwardingError_NamesPortAndHolder()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var problem = QemuLauncher.ForwardProblem("web", $"qemu-system-x86_64: -netdev user,id=net0,hostfwd=tcp:127.0.0.1:{port}-:80: Could not set up host forwarding rule 'tcp:127.0.0.1:{port}-:80'");

        Assert.StartsWith($"VM 'web' cannot forward host port {port}/tcp on 127.0.0.1: on this host it is in use by ", problem);
        Assert.Null(QemuLauncher.ForwardProblem("web", "qemu-system-x86_64: -drive file=x: Could not open 'x'"));
    }
}
