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
}
