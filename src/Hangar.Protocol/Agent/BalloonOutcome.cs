namespace Hangar.Protocol.Agent;

/// <summary>
/// The answer on a <see cref="StreamKind.Balloon"/> stream (one JSON document, <see cref="AgentJsonContext"/>): the guest
/// memory the balloon leaves the guest right now. A new target is reached gradually, as the guest's balloon driver gives
/// pages back or takes them; <c>observed</c> reports follow <paramref name="ActualBytes"/> as it moves.
/// </summary>
/// <param name="ActualBytes">The guest's memory as the balloon leaves it now (QMP <c>query-balloon</c>'s <c>actual</c>).</param>
/// <param name="TargetBytes">The target just set; null when the stream only read the balloon.</param>
public sealed record BalloonOutcome(
    [property: System.Text.Json.Serialization.JsonPropertyName("actual")] long ActualBytes,
    [property: System.Text.Json.Serialization.JsonPropertyName("target")] long? TargetBytes);
