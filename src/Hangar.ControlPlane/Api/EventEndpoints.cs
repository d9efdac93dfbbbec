using System.Text.Json;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol;
using Hangar.Protocol.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Hangar.ControlPlane.Api;

/// <summary>
/// <c>GET /api/v1/events?after=ID[&amp;limit=N][&amp;vm=…][&amp;agent=…][&amp;kind=…][&amp;follow=true]</c>: the fleet's
/// events after an id, filtered on the server (<see cref="EventFilter"/>). Without <c>follow</c> a JSON array of up to
/// <c>limit</c> (100 by default, at most 1000); with it, newline-delimited JSON, one <see cref="EventEntry"/> a line:
/// those after <c>after</c>, then each new one as the store gets it (no polling: <see cref="EventFeed"/>), until
/// the client hangs up. A client that reads slowly holds up only its own response: events are read from the store at
/// its pace, never queued for it.
/// </summary>
internal static class EventEndpoints
{
    public static async Task EventsAsync(HttpContext http, FleetService fleet, IHostApplicationLifetime lifetime)
    {
        var query = http.Request.Query;
        var ct = http.RequestAborted;
        if (!TryNumber(query, "after", out var after) || !TryNumber(query, "limit", out var limitAsked))
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await JsonSerializer.SerializeAsync(http.Response.Body, new ApiError(ApiErrorCodes.BadRequest, "The query parameters after and limit are whole numbers."),
                HangarJson.Info<ApiError>(), ct);
            return;
        }
        var filter = EventFilter.From(query["vm"], query["agent"], query["kind"]);
        if (query["follow"].ToString() is "true" or "1")
        {
            await FollowAsync(http, fleet, after ?? 0, filter, lifetime.ApplicationStopping);
            return;
        }
        var limit = (int)Math.Clamp(limitAsked ?? 100, 1, 1000);
        var events = await fleet.EventsAsync(after ?? 0, limit, filter, ct);
        http.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(http.Response.Body, events, HangarJson.Info<IReadOnlyList<EventEntry>>(), ct);
    }

    /// <param name="stopping">The server stops: the stream ends (a whole last line, then the end), rather than holding the
    /// shutdown up until Kestrel gives up on the request.</param>
    private static async Task FollowAsync(HttpContext http, FleetService fleet, long after, EventFilter filter, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        var ct = linked.Token;
        http.Response.ContentType = "application/x-ndjson";
        // The headers now, so that the client knows it follows before the first event comes.
        await http.Response.Body.FlushAsync(ct);
        try
        {
            await foreach (var entry in fleet.FollowEventsAsync(after, filter, ct))
            {
                await JsonSerializer.SerializeAsync(http.Response.Body, entry, HangarJson.Info<EventEntry>(), ct);
                await http.Response.WriteAsync("\n", ct);
                await http.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static bool TryNumber(IQueryCollection query, string name, out long? value)
    {
        var text = query[name].ToString();
        value = null;
        if (text.Length == 0) return true;
        if (!long.TryParse(text, out var number)) return false;
        value = number;
        return true;
    }
}
