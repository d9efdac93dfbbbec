namespace Hangar.Images.Fetch;

/// <summary>Where an image comes from and what it must be.</summary>
/// <param name="Sha256">Lowercase hex digest the bytes must have; the name it is cached under.</param>
/// <param name="Url">An http or https URL: the image's own URL, or the control plane's <c>/agent/images/sha256/…</c>.</param>
/// <param name="ExpectedBytes">Its size, when the source says so in advance (the control plane's store); null otherwise.</param>
/// <param name="BearerToken">Sent as <c>Authorization: Bearer …</c> (the agent's credential, for the control plane); null for none.</param>
public sealed record ImageSource(string Sha256, Uri Url, long? ExpectedBytes = null, string? BearerToken = null);
