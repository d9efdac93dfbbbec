namespace Hangar.Protocol.Api;

/// <summary>An API token as <c>GET /api/v1/api-tokens</c> lists it: never its secret, which the server does not keep.</summary>
/// <param name="Id">The public part of the token (<c>hat_ID_…</c>), used to revoke it.</param>
/// <param name="ExpiresAt">When it stops working; null for never.</param>
public sealed record ApiTokenInfo(string Id, string? Name, ApiRole Role, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);
