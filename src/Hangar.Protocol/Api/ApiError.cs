using Hangar.Spec;

namespace Hangar.Protocol.Api;

/// <summary>
/// Body of every non-success API answer. <paramref name="Code"/> is stable (scripts may switch on it);
/// <paramref name="SpecErrors"/> is set when a fleet file was rejected; <see cref="Role"/> when a token's role was too
/// small (403), naming the role the call needs.
/// </summary>
public sealed record ApiError(string Code, string Message, IReadOnlyList<SpecError>? SpecErrors = null)
{
    public string? Role { get; init; }
}

/// <summary>The stable error codes of the API.</summary>
public static class ApiErrorCodes
{
    public const string InvalidSpec = "invalid_spec";
    public const string NotFound = "not_found";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string Conflict = "conflict";
    public const string BadRequest = "bad_request";
    public const string TooLarge = "too_large";
    public const string Internal = "internal";
    /// <summary>A fleet names a file image the server's image store does not have (upload it: <c>hangar apply</c> does).</summary>
    public const string ImageMissing = "image_missing";
    /// <summary>Uploaded image bytes do not have the digest (or length) they were sent under; nothing was kept.</summary>
    public const string ImageMismatch = "image_mismatch";
}
