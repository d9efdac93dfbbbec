namespace Hangar.Protocol.Agent;

/// <summary>What a <see cref="StreamKind.Balloon"/> stream asks of a running VM's memory balloon (since version 8).</summary>
/// <param name="TargetBytes">The guest memory to leave the guest (QMP <c>balloon</c>), from 1 MiB to the VM's memory; null to
/// only read the balloon (QMP <c>query-balloon</c>).</param>
public sealed record BalloonRequest([property: System.Text.Json.Serialization.JsonPropertyName("target")] long? TargetBytes);
