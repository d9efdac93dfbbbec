using System.Net.WebSockets;
using System.Text;
using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.ControlPlane.Replicas;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Streams;
using Hangar.Protocol.Api;
using Microsoft.AspNetCore.Http;

namespace Hangar.ControlPlane.Api;

/// <summary>
/// A VM's serial console: its log, and an interactive session, for a VM on any agent. Both are relayed over the
/// connection of the agent that reports the VM (<see cref="StreamMultiplexer"/>): the agent opens its own VM's file
/// and socket; the control plane opens no path at all. With replicas, a VM whose agent is connected to another replica
/// is served through that one (<see cref="ReplicaForwarder"/>, decided by <see cref="ReplicaRoute"/>).
/// </summary>
internal static class SerialEndpoints
{
    public static Task LogsAsync(HttpContext http, string name, bool? follow, FleetService fleet) =>
        ServeLogsAsync(http, name, follow == true, fleet, mayForward: true);

    /// <param name="mayForward">False on the route another replica forwards to: served here or refused, never forwarded again.</param>
    internal static async Task ServeLogsAsync(HttpContext http, string name, bool follow, FleetService fleet, bool mayForward)
    {
        var ct = http.RequestAborted;
        RelayStream stream;
        try
        {
            var (agent, route) = Locate(fleet, name, StreamKind.Log, mayForward);
            if (route.Kind == RouteKind.Forward)
            {
                await fleet.Forwarder!.LogsAsync(http, route.Replica!, name, agent.Name, follow);
                return;
            }
            stream = await agent.Streams!.OpenAsync(name, StreamKind.Log, offset: 0, follow, ct);
        }
        catch (StreamClosedException e)
        {
            http.Response.StatusCode = StatusCodes.Status409Conflict;
            await http.Response.WriteAsJsonAsync(new ApiError(ApiErrorCodes.Conflict, e.Message), HangarJson.Info<ApiError>(), cancellationToken: ct);
            return;
        }
        http.Response.ContentType = "text/plain; charset=utf-8";
        try
        {
            await http.Response.StartAsync(ct);
            while (await stream.ReadAsync(ct) is { } chunk)
            {
                await http.Response.Body.WriteAsync(chunk, ct);
                await http.Response.Body.FlushAsync(ct);
            }
            // The body is the log's raw bytes, so a log cut short (its agent went away) cannot say so in it: the
            // response is aborted instead of ended, and the client reports a cut-off log.
            if (stream.Closure is { Reason: not (StreamCloseReason.End or StreamCloseReason.Closed) }) http.Abort();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            await stream.CloseAsync(StreamCloseReason.Closed, "The client stopped reading the log.");
        }
    }

    public static Task ConsoleAsync(HttpContext http, string name, FleetService fleet) => ServeConsoleAsync(http, name, fleet, mayForward: true);

    /// <param name="mayForward">False on the route another replica forwards to.</param>
    internal static async Task ServeConsoleAsync(HttpContext http, string name, FleetService fleet, bool mayForward)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }
        RelayStream stream;
        try
        {
            var (agent, route) = Locate(fleet, name, StreamKind.Console, mayForward);
            if (route.Kind == RouteKind.Forward)
            {
                await fleet.Forwarder!.ConsoleAsync(http, route.Replica!, name, agent.Name);
                return;
            }
            stream = await agent.Streams!.OpenAsync(name, StreamKind.Console, offset: 0, follow: false, http.RequestAborted);
        }
        catch (StreamClosedException e)
        {
            // A WebSocket client sees only the status of a refused upgrade unless it collects the answer's details;
            // the reason goes in a header as well, which the CLI prints (`hangar console`).
            http.Response.StatusCode = StatusCodes.Status409Conflict;
            http.Response.Headers[AgentProtocol.RefusedHeader] = HeaderSafe(e.Message);
            await http.Response.WriteAsync(e.Message, http.RequestAborted);
            return;
        }
        try
        {
            using var ws = await http.WebSockets.AcceptWebSocketAsync();
            await PumpAsync(ws, stream, http.RequestAborted);
        }
        finally
        {
            await stream.CloseAsync(StreamCloseReason.Closed, "The client detached.");
        }
    }

    /// <summary>Relays the client's WebSocket and the agent's stream both ways until either ends, then closes the WebSocket
    /// with the stream's reason (which <c>hangar console</c> prints).</summary>
    private static async Task PumpAsync(WebSocket ws, RelayStream stream, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var fromVm = Task.Run(async () =>
        {
            while (await stream.ReadAsync(cts.Token) is { } chunk)
                await ws.SendAsync(chunk, WebSocketMessageType.Binary, true, cts.Token);
        }, CancellationToken.None);
        var toVm = Task.Run(async () =>
        {
            // The client's next frame is read only after the last one went to the agent, so a client typing faster than
            // the agent's window waits in TCP, not in this server's memory.
            var buffer = new byte[AgentProtocol.MaxStreamChunk];
            while (true)
            {
                var result = await ws.ReceiveAsync(buffer.AsMemory(), cts.Token);
                if (result.MessageType == WebSocketMessageType.Close) return;
                await stream.WriteAsync(buffer.AsMemory(0, result.Count), cts.Token);
            }
        }, CancellationToken.None);
        try
        {
            var first = await Task.WhenAny(fromVm, toVm);
            // The close frame carries the reason to the client. It goes out before the client's receive is cancelled:
            // cancelling a WebSocket's pending receive aborts the socket, and the reason with it.
            if (ws.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                var (status, reason) = CloseFor(first == toVm ? null : stream.Closure);
                try { await ws.CloseOutputAsync(status, reason, ct); }
                catch (WebSocketException) { }
            }
            if (first == fromVm)
            {
                // The client answers the close; give it a moment before cutting the receive.
                try { await toVm.WaitAsync(CloseGrace, ct); }
                catch (TimeoutException) { }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or StreamClosedException)
        {
        }
        finally
        {
            await cts.CancelAsync();
            try { await Task.WhenAll(fromVm, toVm); }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or StreamClosedException) { }
        }
    }

    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    /// <summary>The WebSocket close for a stream's end: normal when the session simply ended, 1001 when the agent went
    /// away, 1011 otherwise; the reason is the stream's message, cut to the 123 bytes a close frame holds.</summary>
    private static (WebSocketCloseStatus, string) CloseFor(StreamCloseMessage? closure)
    {
        if (closure is null) return (WebSocketCloseStatus.NormalClosure, "console closed");
        var status = closure.Reason switch
        {
            StreamCloseReason.Closed or StreamCloseReason.End => WebSocketCloseStatus.NormalClosure,
            StreamCloseReason.Disconnected => WebSocketCloseStatus.EndpointUnavailable,
            _ => WebSocketCloseStatus.InternalServerError,
        };
        var reason = closure.Message;
        while (Encoding.UTF8.GetByteCount(reason) > 123) reason = reason[..^1];
        return (status, reason);
    }

    /// <summary>The agent that reports VM <paramref name="name"/> and where its stream is served: here, or by the replica
    /// the agent is connected to; <see cref="StreamClosedException"/> when nowhere.</summary>
    private static (AgentSession Agent, ReplicaRoute Route) Locate(FleetService fleet, string name, StreamKind kind, bool mayForward)
    {
        var agent = fleet.FindAgentOf(name);
        if (agent is null)
        {
            if (!fleet.HasVm(name)) throw new VmNotFoundException(name);
            throw Refused(StreamCloseReason.NotFound, kind == StreamKind.Log
                ? $"VM {name} has no serial log yet: no agent reports it."
                : $"VM {name} is not running: no agent reports it.");
        }
        var here = agent.Streams is not null && agent.Connected;
        if (here) return (agent, new ReplicaRoute(RouteKind.Here));
        if (fleet.Forwarder is null)
            throw Refused(StreamCloseReason.Disconnected, $"VM {name} is on agent {agent.Name}, which is not connected.");
        var route = fleet.RouteOf(name, agent.Name, here, mayForward);
        return route.Kind == RouteKind.Refuse ? throw Refused(StreamCloseReason.Disconnected, route.Message!) : (agent, route);
    }

    /// <summary>A header value: printable ASCII only (a header cannot hold a line break), cut to 512 characters.</summary>
    internal static string HeaderSafe(string text)
    {
        var safe = new string(text.Select(c => c is >= ' ' and <= '~' ? c : c is '\n' or '\r' or '\t' ? ' ' : '?').ToArray());
        return safe.Length > 512 ? safe[..512] : safe;
    }

    private static StreamClosedException Refused(StreamCloseReason reason, string message) => new(new StreamCloseMessage("", reason, message));
}
