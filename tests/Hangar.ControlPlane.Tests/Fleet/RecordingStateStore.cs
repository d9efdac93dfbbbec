using Hangar.State;

namespace Hangar.ControlPlane.Tests.Fleet;

/// <summary>A store that notes the size of every event write and counts the reads of events.</summary>
internal sealed class RecordingStateStore(IStateStore inner) : IStateStore
{
    private int _eventReads;

    public List<int> Batches { get; } = [];

    /// <summary>How many times the events were read.</summary>
    public int EventReads => Volatile.Read(ref _eventReads);

    public Task AppendEventAsync(EventRecord record, CancellationToken ct)
    {
        Batches.Add(1);
        return inner.AppendEventAsync(record, ct);
    }

    public Task AppendEventsAsync(IReadOnlyList<EventRecord> records, CancellationToken ct)
    {
        Batches.Add(records.Count);
        return inner.AppendEventsAsync(records, ct);
    }

    public Task<GenerationRecord?> GetCurrentGenerationAsync(CancellationToken ct) => inner.GetCurrentGenerationAsync(ct);
    public Task<GenerationRecord?> GetGenerationAsync(long number, CancellationToken ct) => inner.GetGenerationAsync(number, ct);
    public Task<GenerationRecord> CommitGenerationAsync(NewGeneration generation, long expectedCurrent, GenerationStatus previousStatus, string? previousReason, CancellationToken ct) =>
        inner.CommitGenerationAsync(generation, expectedCurrent, previousStatus, previousReason, ct);
    public Task SetGenerationStatusAsync(long number, GenerationStatus status, string? reason, bool confirmed, CancellationToken ct) =>
        inner.SetGenerationStatusAsync(number, status, reason, confirmed, ct);
    public Task SetGenerationImageDigestsAsync(long number, string imageDigestsJson, CancellationToken ct) => inner.SetGenerationImageDigestsAsync(number, imageDigestsJson, ct);
    public Task<IReadOnlyList<GenerationRecord>> ListGenerationsAsync(CancellationToken ct) => inner.ListGenerationsAsync(ct);
    public Task<IReadOnlyDictionary<string, VmAdminRecord>> GetVmAdminAsync(CancellationToken ct) => inner.GetVmAdminAsync(ct);
    public Task SetVmAdminAsync(VmAdminRecord record, CancellationToken ct) => inner.SetVmAdminAsync(record, ct);
    public Task ReplaceVmAdminAsync(IEnumerable<VmAdminRecord> records, CancellationToken ct) => inner.ReplaceVmAdminAsync(records, ct);
    public Task<FleetAdminRecord> GetFleetAdminAsync(CancellationToken ct) => inner.GetFleetAdminAsync(ct);
    public Task SetFleetAdminAsync(FleetAdminRecord record, CancellationToken ct) => inner.SetFleetAdminAsync(record, ct);
    public Task<IReadOnlyList<EventRecord>> ListEventsAsync(long afterId, int limit, CancellationToken ct)
    {
        Interlocked.Increment(ref _eventReads);
        return inner.ListEventsAsync(afterId, limit, ct);
    }
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
