using System.Net.Sockets;
using System.Text;
using Hangar.Server.Systemd;

namespace Hangar.Integration.Packaging;

/// <summary>The daemon's readiness reaches a <c>Type=notify</c> unit's socket as sd_notify(3) sends it.</summary>
public sealed class ServiceNotifierTests
{
    [Fact]
    public void Ready_WithNotifySocket_SendsReadyStatusAndPid()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hangar-notify-{Guid.NewGuid():N}.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.ReceiveTimeout = 10_000;
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", path);
        try
        {
            ServiceNotifier.Ready("Listening on http://127.0.0.1:7600/");
            var buffer = new byte[4096];
            var received = Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer));
            Assert.Equal($"READY=1\nSTATUS=Listening on http://127.0.0.1:7600/\nMAINPID={Environment.ProcessId}", received);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
            File.Delete(path);
        }
    }
}
