using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

/// <summary>
/// Serves a request through the replica that can answer it: a VM's serial log (streamed as it arrives, never held
/// whole) and its console (a WebSocket relayed frame by frame, both ways) from the replica its agent is connected to,
/// and <c>hangar gc</c> on every live replica. The other replica answers on its <c>/replica/…</c> routes, which take
/// only a replica's credential (<see cref="ReplicaPeers"/>) and never forward again, so a forward has one hop.
/// <code>
///  hangar vm log web ──► replica B ──GET /replica/vms/web/logs (B's secret, A's pin)──► replica A ──► agent h2
///  hangar console web ─WS─► replica B ──WS /replica/vms/web/console──► replica A ──stream──► agent h2
///  hangar gc ──► replica B: its own agents and store ─┬─ POST /replica/gc ──► replica A: its agents and store
///                                                     └─ merged answer
/// </code>
/// </summary>
internal sealed partial class ReplicaForwarder(FleetState state, ReplicaPeers peers, ILogger logger)
{
    public const string LogsPath = "/replica/vms/{name}/logs";
    public const string ConsolePath = "/replica/vms/{name}/console";
    public const string GcPath = "/replica/gc";

    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    /// <summary>Answers a log request with what replica <paramref name="replica"/> answers, streamed.</summary>
    public async Task LogsAsync(HttpContext http, string replica, string vm, string agent, bool follow)
    {
        var ct = http.RequestAborted;
        HttpResponseMessage response;
        string? url = null;
        try
        {
            var peer = await PeerAsync(replica, ct);
            url = peer.Url;
            using var request = peers.Request(HttpMethod.Get, peer, LogsPath.Replace("{name}", Uri.EscapeDataString(vm)) + (follow ? "?follow=true" : ""));
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
            connect.CancelAfter(ReplicaPeers.ConnectTimeout * 2);
            response = await peers.ClientFor(peer).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, connect.Token);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or Hangar.State.StateStoreException
            or OperationCanceledException && !ct.IsCancellationRequested)
        {
            var message = ReplicaRoute.Unreachable(vm, agent, replica, url, ReplicaPeers.Why(e));
            Log.ForwardFailed(logger, message);
            http.Response.StatusCode = StatusCodes.Status409Conflict;
            await http.Response.WriteAsJsonAsync(new ApiError(ApiErrorCodes.Conflict, message), HangarJson.Info<ApiError>(), cancellationToken: ct);
            return;
        }
        using (response)
        {
            http.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } type) http.Response.ContentType = type.ToString();
            try
            {
                await http.Response.StartAsync(ct);
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), ct);
                    await http.Response.Body.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                // The other replica cut the log short (its agent went away, or it stopped): so does this one, and the
                // client reports a cut-off log, as it would from that replica.
                http.Abort();
            }
        }
    }

    /// <summary>Relays a console WebSocket to replica <paramref name="replica"/>; its refusal (or its silence) is this one's.</summary>
    public async Task ConsoleAsync(HttpContext http, string replica, string vm, string agent)
    {
        var ct = http.RequestAborted;
        if (await PeerOrNullAsync(replica, ct) is not { } peer)
        {
            await RefuseAsync(http, StatusCodes.Status409Conflict,
                ReplicaRoute.Unreachable(vm, agent, replica, null, "it has not recorded its address (a replica of an older Hangar?)"));
            return;
        }
        var url = peer.Url;
        using var upstream = peers.WebSocketFor(peer);
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
            connect.CancelAfter(ReplicaPeers.ConnectTimeout * 2);
            await upstream.ConnectAsync(ReplicaPeers.WebSocketUrl(peer, ConsolePath.Replace("{name}", Uri.EscapeDataString(vm))), connect.Token);
        }
        catch (WebSocketException) when (upstream.HttpStatusCode is not 0 and not System.Net.HttpStatusCode.SwitchingProtocols)
        {
            // Answered, and refused (the agent there refused the stream, the VM is not running): pass its answer on.
            var reason = upstream.HttpResponseHeaders?.FirstOrDefault(h => h.Key.Equals(AgentProtocol.RefusedHeader, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
            await RefuseAsync(http, (int)upstream.HttpStatusCode, reason ?? $"Replica {replica} refused the console of VM {vm}: {(int)upstream.HttpStatusCode}.");
            return;
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or InvalidOperationException or Hangar.State.StateStoreException
            or OperationCanceledException && !ct.IsCancellationRequested)
        {
            var message = ReplicaRoute.Unreachable(vm, agent, replica, url, ReplicaPeers.Why(e));
            Log.ForwardFailed(logger, message);
            await RefuseAsync(http, StatusCodes.Status409Conflict, message);
            return;
        }
        using var client = await http.WebSockets.AcceptWebSocketAsync();
        await PipeAsync(client, upstream, ct);
    }

    private static async Task RefuseAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.Headers[AgentProtocol.RefusedHeader] = Api.SerialEndpoints.HeaderSafe(message);
        await http.Response.WriteAsync(message, http.RequestAborted);
    }

    /// <summary>Copies frames both ways until one side closes; its close (status and reason) is passed to the other.</summary>
    private static async Task PipeAsync(WebSocket client, WebSocket upstream, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var down = Task.Run(() => CopyAsync(upstream, client, cts.Token), CancellationToken.None);
        var up = Task.Run(() => CopyAsync(client, upstream, cts.Token), CancellationToken.None);
        try
        {
            var first = await Task.WhenAny(down, up);
            // The side that closed passed its close on; the other answers it. Give it a moment before cutting.
            try { await (first == down ? up : down).WaitAsync(CloseGrace, ct); }
            catch (TimeoutException) { }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
        finally
        {
            await cts.CancelAsync();
            try { await Task.WhenAll(down, up); }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
        }
    }

    private static async Task CopyAsync(WebSocket from, WebSocket to, CancellationToken ct)
    {
        var buffer = new byte[AgentProtocol.MaxStreamChunk];
        try
        {
            while (true)
            {
                var result = await from.ReceiveAsync(buffer.AsMemory(), ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (to.State is WebSocketState.Open or WebSocketState.CloseReceived)
                        await to.CloseOutputAsync(from.CloseStatus ?? WebSocketCloseStatus.NormalClosure, from.CloseStatusDescription, ct);
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, ct);
            }
        }
        catch (WebSocketException) when (to.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            // One side went away without a close: tell the other.
            try { await to.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "the other replica's connection ended", CancellationToken.None); }
            catch (WebSocketException) { }
        }
    }

    /// <summary>
    /// <c>hangar gc</c> on every replica: <paramref name="local"/> here and <c>POST /replica/gc</c> on each other live
    /// replica at once, merged. A replica that does not answer is logged, and the agents connected to it are listed as
    /// not having answered.
    /// </summary>
    public async Task<DiskGcResponse> CollectEverywhereAsync(Func<CancellationToken, Task<DiskGcResponse>> local, TimeSpan timeout, CancellationToken ct)
    {
        var others = state.Replicas.OthersLive().Select(r => CollectOnAsync(r, timeout, ct)).ToArray();
        var answers = new List<DiskGcResponse> { await local(ct) };
        answers.AddRange(await Task.WhenAll(others));
        return new DiskGcResponse(answers.SelectMany(a => a.Deleted).ToArray(), answers.Sum(a => a.Bytes),
            answers.SelectMany(a => a.Unanswered).Distinct(StringComparer.Ordinal).ToArray(),
            answers.SelectMany(a => a.Images ?? []).Distinct(StringComparer.Ordinal).ToArray(), answers.Sum(a => a.ImageBytes));
    }

    private async Task<DiskGcResponse> CollectOnAsync(string replica, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            var peer = await PeerAsync(replica, ct);
            using var request = peers.Request(HttpMethod.Post, peer, GcPath);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout + ReplicaPeers.ConnectTimeout * 2);
            using var response = await peers.ClientFor(peer).SendAsync(request, deadline.Token);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"it answered {(int)response.StatusCode} {response.ReasonPhrase}");
            return await response.Content.ReadFromJsonAsync(HangarJson.Info<DiskGcResponse>(), deadline.Token)
                ?? throw new InvalidOperationException("it answered nothing");
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or JsonException or Hangar.State.StateStoreException
            or OperationCanceledException && !ct.IsCancellationRequested)
        {
            Log.GcFailed(logger, replica, ReplicaPeers.Why(e));
            IReadOnlyList<string> agents;
            lock (state.Gate) agents = state.Replicas.AgentsOf(replica);
            return new DiskGcResponse([], 0, agents, [], 0);
        }
    }

    private async Task<Hangar.State.Replication.ReplicaRecord> PeerAsync(string replica, CancellationToken ct) =>
        await PeerOrNullAsync(replica, ct) ?? throw new InvalidOperationException("it has not recorded its address (a replica of an older Hangar?)");

    private async Task<Hangar.State.Replication.ReplicaRecord?> PeerOrNullAsync(string replica, CancellationToken ct)
    {
        try { return await peers.FindAsync(replica, ct); }
        catch (Hangar.State.StateStoreException) { return null; }
    }
}
