namespace Hangar.Protocol.Api;

/// <summary>One generation as <c>hangar generations</c> lists it.</summary>
/// <param name="Status">rolling-out, active, superseded, failed or rolled-back.</param>
/// <param name="ChangedVms">The VMs whose rollout its health gate waited for.</param>
/// <param name="ImageDigests">Image name → sha256 the VMs it rolled out booted, recorded when its health gate passed.</param>
/// <param name="RollbackOf">The generation whose content this one restored, when it is a rollback.</param>
public sealed record GenerationInfo(long Number, DateTimeOffset CreatedAt, string? Message, string Source, GenerationState Status,
    string? Reason, long? RollbackOf, IReadOnlyList<string> ChangedVms, bool Confirmed, string? Author = null,
    IReadOnlyDictionary<string, string>? ImageDigests = null);

/// <summary>Answer to <c>GET /api/v1/generations/N</c>: the generation and the spec it held, as a fleet file.</summary>
public sealed record GenerationDetail(GenerationInfo Generation, string Yaml);
