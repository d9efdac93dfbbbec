namespace Hangar.Protocol.Api;

/// <summary>Answer of <c>POST /api/v1/vms/NAME/balloon</c>.</summary>
/// <param name="TargetBytes">The target just set, in bytes; null when the request only read the balloon.</param>
/// <param name="ActualBytes">The guest's memory as the balloon leaves it right after (it moves toward the target over
/// the next seconds, as the guest's driver gives pages back; <c>hangar vm show</c> follows it).</param>
/// <param name="MemoryBytes">The VM's memory, the most the balloon can give the guest.</param>
public sealed record VmBalloonResult(
    [property: System.Text.Json.Serialization.JsonPropertyName("target")] long? TargetBytes,
    [property: System.Text.Json.Serialization.JsonPropertyName("actual")] long ActualBytes,
    [property: System.Text.Json.Serialization.JsonPropertyName("memory")] long MemoryBytes);
