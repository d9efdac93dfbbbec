namespace Hangar.Protocol.Api;

/// <summary>A share of a VM as the API reports it (from the current generation).</summary>
/// <param name="Tag">The virtiofs tag the guest mounts it by.</param>
/// <param name="Source">The directory on the VM's host.</param>
/// <param name="ReadOnly">Served read-only.</param>
/// <param name="MountPoint">Where the guest mounts it at boot; null (left out) when the guest mounts it itself.</param>
public sealed record VmShareInfo(
    string Tag,
    string Source,
    bool ReadOnly,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? MountPoint = null);
