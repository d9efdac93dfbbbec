using Hangar.ControlPlane.Fleet;
using Hangar.ControlPlane.Replicas;
using Hangar.Protocol;
using Hangar.Protocol.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hangar.ControlPlane.Api;

/// <summary>
/// What one replica asks of another (<see cref="ReplicaForwarder"/>), behind a replica's credential
/// (<see cref="Auth.EndpointAccess.Replica"/>): a VM's log and console served from this replica's own agents, never
/// forwarded again, and <c>hangar gc</c> of this replica's agents and image store. (The image route is with the other
/// image endpoints.)
/// </summary>
internal static class ReplicaEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(ReplicaForwarder.LogsPath, (HttpContext http, string name, bool? follow, FleetService fleet) =>
            SerialEndpoints.ServeLogsAsync(http, name, follow == true, fleet, mayForward: false));
        app.Map(ReplicaForwarder.ConsolePath, (HttpContext http, string name, FleetService fleet) =>
            SerialEndpoints.ServeConsoleAsync(http, name, fleet, mayForward: false));
        app.MapPost(ReplicaForwarder.GcPath, async (FleetService fleet, CancellationToken ct) =>
            Results.Json(await fleet.CollectDisksAsync(GcTimeout, ct), HangarJson.Info<DiskGcResponse>()));
    }

    /// <summary>How long <c>hangar gc</c> waits for agents' reports, on every replica.</summary>
    public static readonly TimeSpan GcTimeout = TimeSpan.FromSeconds(30);
}
