using System.Text.RegularExpressions;
using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Hangar.ControlPlane.Api;

/// <summary>
/// The image store over HTTP (docs/api.md): <c>GET /api/v1/images</c>, <c>GET|PUT /api/v1/images/sha256/{digest}</c>
/// for the CLI (behind the API token, like every <c>/api</c> route), and <c>GET /agent/images/sha256/{digest}</c> for
/// agents (behind the agent's own credential, answered only for an image a VM placed on that agent boots).
/// </summary>
internal static partial class ImageEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/images", async (FleetService fleet, CancellationToken ct) =>
        {
            if (fleet.Images is { } catalog) await catalog.RefreshAsync(ct);
            return Results.Json(fleet.ImageList(), HangarJson.Info<IReadOnlyList<ImageInfo>>());
        });
        app.MapGet("/api/v1/images/sha256/{digest}", async (string digest, FleetService fleet, CancellationToken ct) =>
        {
            var catalog = Catalog(fleet);
            await catalog.RefreshAsync(ct); // an image uploaded through another replica counts
            return catalog.Find(Checked(digest)) is { } image
                ? Results.Json(image, HangarJson.Info<ImageInfo>())
                : throw new Images.ImageRequestException(Images.ImageRequestError.NotFound, $"The server has no image sha256:{digest}.");
        });
        app.MapPut("/api/v1/images/sha256/{digest}", UploadAsync);
        app.MapGet(AgentProtocol.ImagesPath + "/{digest}", ServeToAgentAsync);
        // Another replica fetching an image it lacks (ReplicaImages): only this replica's own store, never forwarded.
        app.MapGet(Replicas.ReplicaImages.Path + "/{digest}", (string digest, FleetService fleet) =>
            Catalog(fleet).Store.Find(Checked(digest)) is { } image
                ? Results.File(image.Path, "application/octet-stream", enableRangeProcessing: true)
                : throw new Images.ImageRequestException(Images.ImageRequestError.NotFound, $"This replica has no image sha256:{digest}."));
    }

    /// <summary>
    /// Reads the body into the store under <paramref name="digest"/>: streamed (no size limit here, unlike the rest of the
    /// API), hashed as it arrives, kept by an atomic rename only when it has that digest. An upload cut short keeps
    /// nothing; sending it again starts over.
    /// </summary>
    private static async Task<IResult> UploadAsync(string digest, HttpContext http, FleetService fleet)
    {
        var catalog = Catalog(fleet);
        digest = Checked(digest);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = null;
        var stored = await catalog.Store.PutAsync(digest, http.Request.Body, http.Request.ContentLength, null, http.RequestAborted);
        if (catalog.Replicas is { } replicas) await replicas.StoredAsync(stored, http.RequestAborted);
        return Results.Json(catalog.Find(stored.Sha256), HangarJson.Info<ImageInfo>(), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ServeToAgentAsync(string digest, HttpContext http, FleetService fleet)
    {
        var agent = TokenAuth.Bearer(http.Request) is { } credential ? fleet.AuthenticateAgent(credential) : null;
        if (agent is null)
        {
            fleet.AgentCredentialRefused(http.Connection.RemoteIpAddress?.ToString() ?? "?");
            http.Response.Headers[AgentProtocol.RefusedHeader] = AgentEndpoint.CredentialRefusedMessage;
            return Results.StatusCode(StatusCodes.Status401Unauthorized);
        }
        var catalog = Catalog(fleet);
        digest = Checked(digest);
        if (!catalog.IsUsedBy(agent.Name, digest))
            return Results.Json(new ApiError(ApiErrorCodes.Unauthorized, $"No VM placed on agent {agent.Name} boots image sha256:{digest}."),
                HangarJson.Info<ApiError>(), statusCode: StatusCodes.Status403Forbidden);
        Hangar.Images.Store.StoredImage? image;
        try { image = await catalog.FindHereAsync(digest, http.RequestAborted); }
        catch (Replicas.ImageUnavailableException e)
        {
            throw new Images.ImageRequestException(Images.ImageRequestError.NotFound, e.Message);
        }
        if (image is null)
            throw new Images.ImageRequestException(Images.ImageRequestError.NotFound, $"The server has no image sha256:{digest} (upload it again with 'hangar apply').");
        return Results.File(image.Path, "application/octet-stream", enableRangeProcessing: true);
    }

    private static Images.ImageCatalog Catalog(FleetService fleet) =>
        fleet.Images ?? throw new InvalidOperationException("This control plane has no image store.");

    private static string Checked(string digest) => Sha256().IsMatch(digest)
        ? digest
        : throw new Images.ImageRequestException(Images.ImageRequestError.Invalid, $"'{digest}' is not a sha256 (64 lowercase hex digits).");

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256();
}
