using Hangar.Protocol.Api;

namespace Hangar.ControlPlane.Auth;

/// <summary>Who made a request, as its bearer token says.</summary>
/// <param name="TokenId">The stored token's id; null for the home's own token (<see cref="ControlPlaneOptions.ApiToken"/>).</param>
public sealed record ApiCaller(ApiRole Role, string? TokenId, string? Name);
