using System.Text.Json;
using Hangar.ControlPlane.Auth;
using Hangar.Protocol;
using Hangar.Protocol.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hangar.ControlPlane.Api;

/// <summary><c>/api/v1/auth</c> (who am I) and <c>/api/v1/api-tokens</c> (create, list, revoke). Documented in docs/api.md.</summary>
internal static class ApiTokenEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapGet("/auth", (HttpContext http) =>
        {
            var caller = (ApiCaller)http.Items[ApiAuthorization.CallerKey]!;
            return Results.Json(new AuthInfo(caller.Role, caller.TokenId, caller.Name), HangarJson.Info<AuthInfo>());
        });
        api.MapGet("/api-tokens", async (ApiTokens tokens, CancellationToken ct) => Results.Json(await tokens.ListAsync(ct), HangarJson.Info<IReadOnlyList<ApiTokenInfo>>()));
        api.MapPost("/api-tokens", async (HttpContext http, ApiTokens tokens) =>
        {
            var request = await JsonSerializer.DeserializeAsync(http.Request.Body, HangarJson.Info<ApiTokenRequest>(), http.RequestAborted)
                ?? throw new JsonException("The body is empty.");
            return Results.Json(await tokens.CreateAsync(request, http.RequestAborted), HangarJson.Info<ApiTokenResponse>());
        });
        api.MapDelete("/api-tokens/{id}", async (string id, ApiTokens tokens, CancellationToken ct) => Results.Json(await tokens.RevokeAsync(id, ct), HangarJson.Info<ApiTokenInfo>()));
    }
}
