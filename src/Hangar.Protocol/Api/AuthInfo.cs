namespace Hangar.Protocol.Api;

/// <summary>Answer of <c>GET /api/v1/auth</c>: who the caller's token says it is (what <c>hangar login</c> checks).</summary>
/// <param name="TokenId">The token's id; null for the home's own token (<c>daemon.json</c>), which is not stored.</param>
/// <param name="Name">The token's name, when it has one.</param>
public sealed record AuthInfo(ApiRole Role, string? TokenId, string? Name);
