using System.Text.Json;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol;
using Hangar.Protocol.Api;
using Hangar.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hangar.ControlPlane.Api;

/// <summary>The REST API under <c>/api/v1</c>. Documented in docs/api.md.</summary>
internal static class ApiEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapPost("/apply", async (HttpContext http, FleetService fleet) =>
            Json(await fleet.ApplyAsync(await ReadAsync<ApplyRequest>(http), http.RequestAborted)));
        api.MapPost("/plan", async (HttpContext http, FleetService fleet) => Json(fleet.Plan(await ReadAsync<ApplyRequest>(http))));
        api.MapPost("/rollback", async (HttpContext http, FleetService fleet) =>
            Json(await fleet.RollbackAsync(await ReadAsync<RollbackRequest>(http), http.RequestAborted)));
        api.MapGet("/generations", async (FleetService fleet, CancellationToken ct) => Json(await fleet.GenerationsAsync(ct)));
        api.MapGet("/generations/{number:long}", async (long number, FleetService fleet, CancellationToken ct) => Json(await fleet.GenerationAsync(number, ct)));
        api.MapGet("/diff", async (long from, long to, FleetService fleet, CancellationToken ct) => Json(await fleet.DiffAsync(from, to, ct)));
        api.MapGet("/vms", (FleetService fleet) => Json(fleet.Status()));
        api.MapGet("/vms/{name}", (string name, FleetService fleet) =>
            Json(fleet.VmStatus(name) ?? throw new VmNotFoundException(name)));
        api.MapPost("/vms/{name}/start", async (string name, FleetService fleet, CancellationToken ct) => Json(await fleet.SetVmAsync(name, VmOperation.Start, ct)));
        api.MapPost("/vms/{name}/stop", async (string name, FleetService fleet, CancellationToken ct) => Json(await fleet.SetVmAsync(name, VmOperation.Stop, ct)));
        api.MapPost("/vms/{name}/restart", async (string name, FleetService fleet, CancellationToken ct) => Json(await fleet.SetVmAsync(name, VmOperation.Restart, ct)));
        api.MapPost("/down", async (HttpContext http, FleetService fleet) =>
        {
            var request = await ReadAsync<DownRequest>(http);
            await fleet.DownAsync(request.Purge, http.RequestAborted);
            return Json(fleet.Status());
        });
        api.MapPost("/gc", async (FleetService fleet, CancellationToken ct) => Json(await fleet.CollectDisksEverywhereAsync(ReplicaEndpoints.GcTimeout, ct)));
        api.MapGet("/watch", WatchAsync);
        api.MapGet("/events", EventEndpoints.EventsAsync);
        api.MapPost("/tokens", async (HttpContext http, FleetService fleet) =>
            Json(await fleet.CreateJoinTokenAsync(await ReadAsync<JoinTokenRequest>(http), http.RequestAborted)));
        api.MapGet("/agents", (FleetService fleet) => Json(fleet.Agents()));
        api.MapGet("/agents/{name}", (string name, FleetService fleet) => Json(fleet.Agent(name)));
        api.MapPost("/agents/{name}/cordon", async (string name, FleetService fleet, CancellationToken ct) => Json(await fleet.SetAgentCordonedAsync(name, true, ct)));
        api.MapPost("/agents/{name}/uncordon", async (string name, FleetService fleet, CancellationToken ct) => Json(await fleet.SetAgentCordonedAsync(name, false, ct)));
        api.MapPost("/agents/{name}/drain", async (string name, HttpContext http, FleetService fleet) =>
            Json(await fleet.DrainAgentAsync(name, await ReadAsync<AgentDrainRequest>(http), http.RequestAborted)));
        api.MapPost("/agents/{name}/labels", async (string name, HttpContext http, FleetService fleet) =>
            Json(await fleet.SetAgentLabelsAsync(name, await ReadAsync<AgentLabelsRequest>(http), http.RequestAborted)));
        api.MapDelete("/agents/{name}", async (string name, bool? force, FleetService fleet, CancellationToken ct) =>
            Json(await fleet.RemoveAgentAsync(name, force ?? false, ct)));
        api.MapGet("/vms/{name}/logs", SerialEndpoints.LogsAsync);
        api.Map("/vms/{name}/console", SerialEndpoints.ConsoleAsync);
        api.MapPost("/vms/{name}/exec", ExecEndpoints.ExecAsync);
        api.MapPost("/vms/{name}/balloon", BalloonEndpoints.BalloonAsync);
        api.MapGet("/vms/{name}/xml", DomainEndpoints.XmlAsync);
    }

    /// <summary>
    /// Streams the fleet status as newline-delimited JSON: the whole status now (<see cref="FleetStatus"/>), then after
    /// every change one <see cref="FleetStatusChange"/> with only the VMs that changed, until the client hangs up. This
    /// is how the CLI follows a rollout without polling; a line costs the VMs that changed, not the fleet.
    /// </summary>
    private static async Task WatchAsync(HttpContext http, FleetService fleet)
    {
        var ct = http.RequestAborted;
        http.Response.ContentType = "application/x-ndjson";
        using var changes = fleet.SubscribeChanges();
        try
        {
            var changed = fleet.WhenChangedAsync(ct);
            changes.Take();
            await JsonSerializer.SerializeAsync(http.Response.Body, fleet.Status(), HangarJson.Info<FleetStatus>(), ct);
            while (!ct.IsCancellationRequested)
            {
                await http.Response.WriteAsync("\n", ct);
                await http.Response.Body.FlushAsync(ct);
                await changed;
                changed = fleet.WhenChangedAsync(ct);
                await JsonSerializer.SerializeAsync(http.Response.Body, fleet.Changes(changes), HangarJson.Info<FleetStatusChange>(), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static async Task<T> ReadAsync<T>(HttpContext http) =>
        await JsonSerializer.DeserializeAsync(http.Request.Body, HangarJson.Info<T>(), http.RequestAborted)
        ?? throw new JsonException("The body is empty.");

    // The contract of the declared type T, from the compile-time contexts: a T outside ApiJsonContext fails at once
    // (in the in-process tests too), where reflection used to cover it.
    private static IResult Json<T>(T value) => Results.Json(value, HangarJson.Info<T>());
}
