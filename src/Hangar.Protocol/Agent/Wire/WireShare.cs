namespace Hangar.Protocol.Agent.Wire;

/// <summary>A host directory the guest mounts over virtiofs, as the agent protocol carries it (since version 8).</summary>
/// <param name="Tag">The virtiofs tag the guest mounts it by.</param>
/// <param name="Source">The directory on the agent's host. The agent serves only a directory that exists, through virtiofsd.</param>
/// <param name="MountPoint">Where the guest mounts it at boot; null to leave it to the guest.</param>
/// <param name="ReadOnly">Served read-only.</param>
public sealed record WireShare(
    string Tag,
    string Source,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? MountPoint = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] bool ReadOnly = false);
