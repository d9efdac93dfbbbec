using Hangar.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hangar.ControlPlane.Api;

/// <summary>
/// <c>GET /metrics</c>: the process's <see cref="MetricsRegistry"/> in the Prometheus text exposition format, for a
/// viewer token (<see cref="Auth.EndpointRoles"/>). Documented in docs/operations.md, "Metrics".
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet(Path, (MetricsRegistry registry) => Results.Text(registry.Scrape(), ExpositionWriter.ContentType));
}
