using System.Text.Json.Serialization;

namespace Hangar.Protocol.Api;

/// <summary>A generation's status on the wire (<c>rolling-out</c>, <c>active</c>, <c>superseded</c>, <c>failed</c>,
/// <c>rolled-back</c>), mapped from the store's own status in one place (<c>HistoryQueries</c>).</summary>
public enum GenerationState
{
    [JsonStringEnumMemberName("rolling-out")] RollingOut,
    [JsonStringEnumMemberName("active")] Active,
    [JsonStringEnumMemberName("superseded")] Superseded,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("rolled-back")] RolledBack,
}
