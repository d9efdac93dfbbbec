using Hangar.ControlPlane.Api;
using Hangar.Protocol;
using Hangar.Protocol.Api;
using Microsoft.AspNetCore.Http;

namespace Hangar.ControlPlane.Auth;

/// <summary>
/// Enforces <see cref="EndpointRoles"/> on every request that reached an endpoint, before the endpoint runs (so a refused
/// call changes nothing): no valid token → 401, a token of too small a role → 403 naming the role needed, an endpoint
/// the table does not list → 403 for everyone. Agent endpoints check their own secrets. Runs after routing, which
/// ASP.NET Core's WebApplication puts first.
/// </summary>
internal sealed class ApiAuthorization(RequestDelegate next, ApiTokens tokens, Fleet.FleetService fleet)
{
    // An endpoint's access is fixed once the endpoints are built: looked up in the table once per endpoint, not per request.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Endpoint, EndpointAccess?> _access = new();

    /// <summary>The <see cref="HttpContext.Items"/> key of the request's <see cref="ApiCaller"/>.</summary>
    public const string CallerKey = "hangar.caller";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is not { } endpoint)
        {
            await next(context);
            return;
        }
        var access = _access.GetOrAdd(endpoint, EndpointRoles.For);
        if (access == EndpointAccess.Agent)
        {
            await next(context);
            return;
        }
        if (access == EndpointAccess.Replica)
        {
            if (fleet.Peers is { } peers && await peers.AuthenticateAsync(context.Request.Headers[Replicas.ReplicaPeers.ReplicaHeader].FirstOrDefault(),
                    TokenAuth.Bearer(context.Request), context.RequestAborted))
            {
                await next(context);
                return;
            }
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, new ApiError(ApiErrorCodes.Unauthorized,
                $"{context.Request.Path} is for the other replicas of this control plane's store; it takes a replica's credential, not an API token."));
            return;
        }
        var caller = await tokens.AuthenticateAsync(TokenAuth.Bearer(context.Request), context.RequestAborted);
        if (caller is null)
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, new ApiError(ApiErrorCodes.Unauthorized,
                "Missing, unknown, revoked or expired API token; send one as 'Authorization: Bearer TOKEN' (hangar login, or HANGAR_TOKEN)."));
            return;
        }
        if (access is not { } needed)
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, new ApiError(ApiErrorCodes.Forbidden,
                $"{context.Request.Method} {context.Request.Path} has no role assigned, so no token may call it."));
            return;
        }
        if (!EndpointRoles.Allows(needed, caller.Role))
        {
            var role = ApiTokens.RoleWord(needed == EndpointAccess.Admin ? ApiRole.Admin : ApiRole.Operator);
            await RefuseAsync(context, StatusCodes.Status403Forbidden, new ApiError(ApiErrorCodes.Forbidden,
                $"{context.Request.Method} {context.Request.Path} needs the {role} role; this token{(caller.TokenId is { } id ? $" ({id})" : "")} has {ApiTokens.RoleWord(caller.Role)}.")
            {
                Role = role,
            });
            return;
        }
        context.Items[CallerKey] = caller;
        await next(context);
    }

    private static Task RefuseAsync(HttpContext context, int status, ApiError error)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(error, HangarJson.Info<ApiError>(), cancellationToken: context.RequestAborted);
    }
}
