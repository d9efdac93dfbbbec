using System.Text.Json;
using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol;
using Hangar.Protocol.Api;
using Hangar.Spec;
using Hangar.State;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Api;

/// <summary>The one place where exceptions become HTTP answers: by type, never by message text.</summary>
internal sealed class ErrorMapping(RequestDelegate next, ILogger<ErrorMapping> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var (status, error) = e switch
            {
                SpecRejectedException r => (400, new ApiError(ApiErrorCodes.InvalidSpec, r.Message, r.Errors)),
                AgentRefusedException r => (401, new ApiError(ApiErrorCodes.Unauthorized, r.Message)),
                AgentRequestException { Error: AgentRequestError.NotFound } r => (404, new ApiError(ApiErrorCodes.NotFound, r.Message)),
                AgentRequestException { Error: AgentRequestError.Conflict } r => (409, new ApiError(ApiErrorCodes.Conflict, r.Message)),
                AgentRequestException r => (400, new ApiError(ApiErrorCodes.BadRequest, r.Message)),
                Images.ImageMissingException m => (409, new ApiError(ApiErrorCodes.ImageMissing, m.Message)),
                Images.ImageRequestException { Error: Images.ImageRequestError.NotFound } r => (404, new ApiError(ApiErrorCodes.NotFound, r.Message)),
                Images.ImageRequestException r => (400, new ApiError(ApiErrorCodes.BadRequest, r.Message)),
                Hangar.Images.ImageVerificationException v => (422, new ApiError(ApiErrorCodes.ImageMismatch,
                    $"The uploaded bytes have sha256 {v.ActualSha256}, not {v.ExpectedSha256} as sent; nothing was kept.")),
                Hangar.Images.ImageSizeException z => (422, new ApiError(ApiErrorCodes.ImageMismatch, z.Message + " Nothing was kept.")),
                VmNotFoundException n => (404, new ApiError(ApiErrorCodes.NotFound, n.Message)),
                GenerationNotFoundException g => (404, new ApiError(ApiErrorCodes.NotFound, g.Message)),
                RollbackTargetException t => (409, new ApiError(ApiErrorCodes.Conflict, t.Message)),
                UnplaceableException u => (409, new ApiError(ApiErrorCodes.Conflict, u.Message)),
                GenerationConflictException c => (409, new ApiError(ApiErrorCodes.Conflict, c.Message)),
                BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, new ApiError(ApiErrorCodes.TooLarge,
                    $"The request body is larger than {SpecLimits.MaxRequestBodyBytes:N0} bytes, the most the API reads; " +
                    $"a fleet file may have at most {SpecLimits.MaxFileBytes:N0} bytes.")),
                JsonException or BadHttpRequestException => (400, new ApiError(ApiErrorCodes.BadRequest, $"The request body is not valid: {e.Message}")),
                _ => (500, new ApiError(ApiErrorCodes.Internal, "The control plane failed; see its log.")),
            };
            if (status == 500) logger.LogError(e, "Request {Method} {Path} failed", context.Request.Method, context.Request.Path);
            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(error, HangarJson.Info<ApiError>());
        }
    }
}
