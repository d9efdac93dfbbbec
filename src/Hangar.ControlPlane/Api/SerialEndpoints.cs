using System.Net.Sockets;
using System.Net.WebSockets;
using Hangar.ControlPlane.Fleet;
using Microsoft.AspNetCore.Http;

namespace Hangar.ControlPlane.Api;

/// <summary>
/// A VM's serial console: its log, and an interactive session. Both reach the files and socket that the VM's agent
/// reports, so they work when the agent runs on the control plane's host (the embedded default); a remote agent will
/// relay them over its WebSocket.
/// </summary>
internal static class SerialEndpoints
{
    // The chardev log file gives no notification of growth; following it reads on a short interval.
    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(200);

    public static async Task LogsAsync(HttpContext http, string name, bool? follow, FleetService fleet)
    {
        var ct = http.RequestAborted;
        var vm = fleet.FindObserved(name);
        if (vm?.SerialLog is not { } path)
        {
            if (!fleet.HasVm(name)) throw new VmNotFoundException(name);
            http.Response.StatusCode = StatusCodes.Status409Conflict;
            await http.Response.WriteAsJsonAsync(new Hangar.Protocol.Api.ApiError(Hangar.Protocol.Api.ApiErrorCodes.Conflict,
                $"VM {name} has no serial log yet: its agent has not reported it."), Hangar.Protocol.HangarJson.Options, ct);
            return;
        }
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.StartAsync(ct);
        long position = 0;
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                if (File.Exists(path))
                {
                    await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    if (stream.Length < position) position = 0;
                    stream.Position = position;
                    int read;
                    while ((read = await stream.ReadAsync(buffer, ct)) > 0)
                    {
                        await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), ct);
                        position += read;
                    }
                    await http.Response.Body.FlushAsync(ct);
                }
                if (follow != true) return;
                await Task.Delay(FollowInterval, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public static async Task ConsoleAsync(HttpContext http, string name, FleetService fleet)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }
        var vm = fleet.FindObserved(name);
        if (vm is not { ConsoleSocket: { } socketPath, Pid: not null })
        {
            if (!fleet.HasVm(name)) throw new VmNotFoundException(name);
            http.Response.StatusCode = StatusCodes.Status409Conflict;
            await http.Response.WriteAsync($"VM {name} is not running.");
            return;
        }
        using var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await unix.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), http.RequestAborted);
        }
        catch (SocketException e)
        {
            http.Response.StatusCode = StatusCodes.Status409Conflict;
            await http.Response.WriteAsync($"The console of VM {name} cannot be reached ({e.SocketErrorCode}); it may be stopping, or run on another host.");
            return;
        }
        using var ws = await http.WebSockets.AcceptWebSocketAsync();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        var fromVm = Task.Run(async () =>
        {
            var buffer = new byte[8192];
            int read;
            while ((read = await unix.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
                await ws.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, true, cts.Token);
        });
        var toVm = Task.Run(async () =>
        {
            var buffer = new byte[8192];
            while (true)
            {
                var result = await ws.ReceiveAsync(buffer.AsMemory(), cts.Token);
                if (result.MessageType == WebSocketMessageType.Close) return;
                await unix.SendAsync(buffer.AsMemory(0, result.Count), SocketFlags.None, cts.Token);
            }
        });
        try
        {
            await Task.WhenAny(fromVm, toVm);
        }
        finally
        {
            await cts.CancelAsync();
            try { await Task.WhenAll(fromVm, toVm); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or WebSocketException) { }
            if (ws.State == WebSocketState.Open)
                await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "console closed", CancellationToken.None);
        }
    }
}
