namespace Hangar.Protocol.Api;

/// <summary>The memory balloon of a VM that has one (<c>balloon: true</c>).</summary>
/// <param name="ActualBytes">The guest's memory as the balloon leaves it now (<c>actual</c>), as its agent last saw it;
/// null while the VM does not run or before the agent read it.</param>
public sealed record VmBalloonInfo(
    [property: System.Text.Json.Serialization.JsonPropertyName("actual")] long? ActualBytes);
