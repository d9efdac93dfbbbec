namespace Hangar.Protocol.Api;

/// <summary>
/// One image the control plane knows (<c>GET /api/v1/images</c>, <c>hangar image list</c>): stored in its image store
/// (a file image the CLI uploaded), declared by the current generation, or both.
/// </summary>
/// <param name="Sha256">Its digest, lowercase hex.</param>
/// <param name="SizeBytes">Its size in the store; null when it is not stored (a URL image, or a file image not uploaded yet).</param>
/// <param name="Stored">Whether the store has it (agents can fetch it).</param>
/// <param name="Url">Where agents download it, for a URL image.</param>
/// <param name="Names">The names the current generation gives it under <c>images</c>; empty when unused.</param>
/// <param name="Vms">The VMs of the current generation that boot it; empty when unused (then <c>hangar gc</c> deletes it).</param>
public sealed record ImageInfo(string Sha256, long? SizeBytes, bool Stored, string? Url, IReadOnlyList<string> Names, IReadOnlyList<string> Vms);
