namespace Hangar.Protocol.Api;

/// <summary>Answer of <c>POST /api/v1/api-tokens</c>: the token, shown this once (the server keeps only its hash).</summary>
public sealed record ApiTokenResponse(string Token, ApiTokenInfo Info);
