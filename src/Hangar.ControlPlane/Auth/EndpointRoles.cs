using Hangar.Protocol.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hangar.ControlPlane.Auth;

/// <summary>
/// The one table of who may call which endpoint, by method and route pattern as mapped (docs/api.md, "Roles", is the
/// same table). <see cref="ApiAuthorization"/> enforces it on every request, HTTP and WebSocket; an endpoint missing
/// from it answers 403 to everyone (fail closed), and <c>EndpointRolesTests</c> walks the server's endpoint data source
/// and fails for any endpoint not listed here.
/// </summary>
public static class EndpointRoles
{
    /// <summary>Method (<c>*</c> for an endpoint that takes any, such as a WebSocket) and pattern → access.</summary>
    public static IReadOnlyDictionary<string, EndpointAccess> Table { get; } = new Dictionary<string, EndpointAccess>(StringComparer.Ordinal)
    {
        ["GET /api/v1/auth"] = EndpointAccess.Viewer,
        ["GET /api/v1/vms"] = EndpointAccess.Viewer,
        ["GET /api/v1/vms/{name}"] = EndpointAccess.Viewer,
        ["GET /api/v1/vms/{name}/logs"] = EndpointAccess.Viewer,
        ["GET /api/v1/vms/{name}/xml"] = EndpointAccess.Viewer,
        ["GET /api/v1/watch"] = EndpointAccess.Viewer,
        ["GET /api/v1/events"] = EndpointAccess.Viewer,
        ["GET /api/v1/generations"] = EndpointAccess.Viewer,
        ["GET /api/v1/generations/{number:long}"] = EndpointAccess.Viewer,
        ["GET /api/v1/diff"] = EndpointAccess.Viewer,
        ["POST /api/v1/plan"] = EndpointAccess.Viewer,
        ["GET /api/v1/agents"] = EndpointAccess.Viewer,
        ["GET /api/v1/agents/{name}"] = EndpointAccess.Viewer,
        ["GET /api/v1/images"] = EndpointAccess.Viewer,
        ["GET /api/v1/images/sha256/{digest}"] = EndpointAccess.Viewer,
        // Metrics name VMs and agents, as GET /api/v1/vms does, and the API may listen beyond loopback: a viewer token,
        // which Prometheus sends from a file (authorization.credentials_file); see docs/operations.md, "Metrics".
        ["GET /metrics"] = EndpointAccess.Viewer,
        ["POST /api/v1/apply"] = EndpointAccess.Operator,
        ["POST /api/v1/rollback"] = EndpointAccess.Operator,
        ["POST /api/v1/vms/{name}/start"] = EndpointAccess.Operator,
        ["POST /api/v1/vms/{name}/stop"] = EndpointAccess.Operator,
        ["POST /api/v1/vms/{name}/restart"] = EndpointAccess.Operator,
        ["* /api/v1/vms/{name}/console"] = EndpointAccess.Operator,
        ["POST /api/v1/vms/{name}/exec"] = EndpointAccess.Operator,
        ["POST /api/v1/vms/{name}/balloon"] = EndpointAccess.Operator,
        ["POST /api/v1/down"] = EndpointAccess.Operator,
        ["POST /api/v1/gc"] = EndpointAccess.Operator,
        ["PUT /api/v1/images/sha256/{digest}"] = EndpointAccess.Operator,
        ["POST /api/v1/tokens"] = EndpointAccess.Admin,
        ["POST /api/v1/agents/{name}/cordon"] = EndpointAccess.Admin,
        ["POST /api/v1/agents/{name}/uncordon"] = EndpointAccess.Admin,
        ["POST /api/v1/agents/{name}/drain"] = EndpointAccess.Admin,
        ["POST /api/v1/agents/{name}/labels"] = EndpointAccess.Admin,
        ["DELETE /api/v1/agents/{name}"] = EndpointAccess.Admin,
        ["GET /api/v1/api-tokens"] = EndpointAccess.Admin,
        ["POST /api/v1/api-tokens"] = EndpointAccess.Admin,
        ["DELETE /api/v1/api-tokens/{id}"] = EndpointAccess.Admin,
        ["POST /api/v1/shutdown"] = EndpointAccess.Admin,
        ["POST /agent/join"] = EndpointAccess.Agent,
        ["* /agent/ws"] = EndpointAccess.Agent,
        ["GET /agent/images/sha256/{digest}"] = EndpointAccess.Agent,
        ["GET /replica/vms/{name}/logs"] = EndpointAccess.Replica,
        ["* /replica/vms/{name}/console"] = EndpointAccess.Replica,
        ["POST /replica/gc"] = EndpointAccess.Replica,
        ["GET /replica/images/sha256/{digest}"] = EndpointAccess.Replica,
    };

    /// <summary>The keys an endpoint is known by: one per HTTP method it accepts, or <c>*</c>.</summary>
    public static IEnumerable<string> KeysOf(Endpoint endpoint)
    {
        if (endpoint is not RouteEndpoint route) yield break;
        var pattern = route.RoutePattern.RawText ?? "";
        if (!pattern.StartsWith('/')) pattern = "/" + pattern;
        var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
        if (methods is null or { Count: 0 }) yield return $"* {pattern}";
        else foreach (var method in methods) yield return $"{method} {pattern}";
    }

    /// <summary>Who may call <paramref name="endpoint"/>; null when the table does not say (nobody may).</summary>
    public static EndpointAccess? For(Endpoint endpoint)
    {
        EndpointAccess? access = null;
        foreach (var key in KeysOf(endpoint))
        {
            if (!Table.TryGetValue(key, out var found)) return null;
            // An endpoint under several methods needs the strictest of their roles.
            access = access is null || found > access ? found : access;
        }
        return access;
    }

    /// <summary>Whether <paramref name="role"/> may do what <paramref name="access"/> asks.</summary>
    public static bool Allows(EndpointAccess access, ApiRole role) => access switch
    {
        EndpointAccess.Viewer => true,
        EndpointAccess.Operator => role >= ApiRole.Operator,
        EndpointAccess.Admin => role == ApiRole.Admin,
        _ => false,
    };
}
