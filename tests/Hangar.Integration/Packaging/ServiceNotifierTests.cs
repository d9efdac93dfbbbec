using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Hangar.Server.Systemd;
using Hangar.Testing;

namespace Hangar.Integration.Packaging;

/// <summary>
/// The daemon's readiness reaches a <c>Type=notify</c> unit's socket as sd_notify(3) sends it, from the process
/// systemd started: <c>hangar server</c> becomes hangard without a new pid, so MAINPID is the one systemd knows.
/// </summary>
public sealed class ServiceNotifierTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hangar-notify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Send_ToANotifySocket_DeliversTheState()
    {
        using var socket = Listen(out var path);
        ServiceNotifier.Send(path, ServiceNotifier.ReadyState("Listening on http://127.0.0.1:7600/"));
        Assert.Equal($"READY=1\nSTATUS=Listening on http://127.0.0.1:7600/\nMAINPID={Environment.ProcessId}", Receive(socket));
    }

    [Fact]
    public async Task Server_UnderNotifySocket_ReportsReadyWithItsPidThenStopping()
    {
        using var socket = Listen(out var path);
        var (fileName, prefix) = HangarCommand.Client;
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in prefix.Concat(["server", "--home", Path.Combine(_dir, "home"), "--listen", "127.0.0.1:0", "--no-agent"])) start.ArgumentList.Add(arg);
        foreach (var (key, value) in HangarCommand.Environment(Path.Combine(_dir, "home"))) start.Environment[key] = value;
        start.Environment["NOTIFY_SOCKET"] = path;
        using var server = Process.Start(start)!;
        var output = Task.WhenAll(server.StandardOutput.ReadToEndAsync(), server.StandardError.ReadToEndAsync());
        try
        {
            var ready = Receive(socket);
            Assert.StartsWith("READY=1\nSTATUS=Listening on http://127.0.0.1:", ready);
            Assert.EndsWith($"\nMAINPID={server.Id}", ready);
            using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString()])) await kill.WaitForExitAsync();
            Assert.Equal("STOPPING=1", Receive(socket));
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await server.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, server.ExitCode);
        }
        finally
        {
            if (!server.HasExited) server.Kill();
            _ = await output;
        }
    }

    private Socket Listen(out string path)
    {
        path = Path.Combine(_dir, $"notify-{Guid.NewGuid():N}.sock");
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.ReceiveTimeout = 60_000;
        return socket;
    }

    private static string Receive(Socket socket)
    {
        var buffer = new byte[4096];
        return Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer));
    }
}
