namespace Hangar.Protocol.Api;

/// <summary>Body of <c>POST /api/v1/api-tokens</c>.</summary>
/// <param name="Role">What the token may do.</param>
/// <param name="Name">A name to recognise it by in <c>hangar api-token list</c> (default: none).</param>
/// <param name="Ttl">How long it works (default: until revoked).</param>
public sealed record ApiTokenRequest(ApiRole Role, string? Name = null, TimeSpan? Ttl = null);
