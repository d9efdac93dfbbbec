using Hangar.ControlPlane.Fleet;
using Hangar.State;
using Hangar.State.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.ControlPlane.Tests.Fleet;

/// <summary>The event journal on a real SQLite store: what queued up is written in batches, in order.</summary>
public sealed class EventJournalTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hej-").FullName;
    private RecordingStateStore _store = null!;

    public async Task InitializeAsync() =>
        _store = new RecordingStateStore(await SqliteStateStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None));

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Record_ManyEventsQueued_WrittenInBatchesOfAtMostMaxBatchInOrder()
    {
        var journal = new EventJournal(_store, NullLogger.Instance);
        const int count = 2 * EventJournal.MaxBatch + 500;
        for (var i = 0; i < count; i++) journal.Record("vm.started", $"vm{i}", $"m{i}");

        journal.Start();
        await journal.DisposeAsync(); // writes what is queued

        Assert.Equal([EventJournal.MaxBatch, EventJournal.MaxBatch, 500], _store.Batches);
        var stored = await _store.ListEventsAsync(0, count + 1, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"m{i}"), stored.Select(e => e.Message));
    }

    /// <summary>Notes the size of every event write.</summary>
    private sealed class RecordingStateStore(IStateStore inner) : IStateStore
    {
        public List<int> Batches { get; } = [];

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
        public Task<IReadOnlyList<EventRecord>> ListEventsAsync(long afterId, int limit, CancellationToken ct) => inner.ListEventsAsync(afterId, limit, ct);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
