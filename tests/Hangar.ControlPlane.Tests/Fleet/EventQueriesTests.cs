using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Api;
using Hangar.State;
using Hangar.State.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.ControlPlane.Tests.Fleet;

/// <summary>Listing and following the events on a real SQLite store: filters across pages, and a follower woken by
/// the journal's batches rather than by a clock.</summary>
public sealed class EventQueriesTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _dir = Directory.CreateTempSubdirectory("heq-").FullName;
    private RecordingStateStore _store = null!;
    private EventJournal _journal = null!;
    private EventQueries _queries = null!;

    public async Task InitializeAsync()
    {
        _store = new RecordingStateStore(await SqliteStateStore.OpenAsync(Path.Combine(_dir, "state.db"), None));
        _journal = new EventJournal(_store, NullLogger.Instance);
        _journal.Start();
        _queries = new EventQueries(_store, _journal.Feed);
    }

    public async Task DisposeAsync()
    {
        await _journal.DisposeAsync();
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static EventRecord Event(string kind, string? vm, string message, string? agent = null) => new(0, DateTimeOffset.UtcNow, kind, vm, message, agent);

    [Fact]
    public async Task FollowAsync_NoNewEvents_ReadsTheStoreAgainOnlyWhenABatchIsWritten()
    {
        await _store.AppendEventsAsync([Event("vm.started", "web", "before")], None);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var events = _queries.FollowAsync(0, EventFilter.All, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("before", events.Current.Message);
        Assert.Equal(1, _store.EventReads);

        var next = events.MoveNextAsync().AsTask();
        // The one fixed wait of these tests, and what they check: longer than the one-second poll the CLI used to
        // make, nothing reads the store while nothing is written.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.False(next.IsCompleted);
        Assert.Equal(1, _store.EventReads);

        _journal.Record("vm.crashed", "web", "after");
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("after", events.Current.Message);
        Assert.Equal(2, _store.EventReads);
    }

    [Fact]
    public async Task FollowAsync_FollowerBehindByThousands_GetsEveryMatchingEventInOrderReadInPages()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var events = _queries.FollowAsync(0, EventFilter.From(null, ["lab1"], null), cts.Token).GetAsyncEnumerator(cts.Token);
        var first = events.MoveNextAsync().AsTask();
        const int count = 5 * EventQueries.Page;
        for (var i = 0; i < count; i++) _journal.Record("vm.started", $"vm{i}", $"m{i}", i % 2 == 0 ? "lab1" : "lab2");

        var got = new List<string>();
        Assert.True(await first);
        got.Add(events.Current.Message);
        while (got.Count < count / 2 && await events.MoveNextAsync()) got.Add(events.Current.Message);

        Assert.Equal(Enumerable.Range(0, count / 2).Select(i => $"m{2 * i}"), got);
        // A page per 1000 events and a read per batch the journal wrote (at most 1000 each), not a read per event.
        Assert.InRange(_store.EventReads, 2, 2 + 2 * count / EventQueries.Page + 1);
    }

    [Fact]
    public async Task ListAsync_FilterThatMatchesLittle_ReadsPastPagesThatMatchNothing()
    {
        var records = Enumerable.Range(0, 2500).Select(i => Event(i % 1000 == 999 ? "vm.crashed" : "vm.started", $"vm{i % 7}", $"m{i}")).ToArray();
        await _store.AppendEventsAsync(records, None);

        var crashed = await _queries.ListAsync(0, 100, EventFilter.From(null, null, ["vm.crashed"]), None);
        var limited = await _queries.ListAsync(0, 2, EventFilter.From(["vm1", "vm2"], null, null), None);
        var afterLast = await _queries.ListAsync(crashed[^1].Id, 100, EventFilter.From(null, null, ["vm.crashed"]), None);
        var all = await _queries.ListAsync(0, 100, EventFilter.All, None);

        Assert.Equal(["m999", "m1999"], crashed.Select(e => e.Message));
        Assert.Equal(["m1", "m2"], limited.Select(e => e.Message));
        Assert.Empty(afterLast);
        Assert.Equal(100, all.Count);
    }

    [Fact]
    public void Filter_RepeatedAndCommaSeparatedValues_AreOneListEach()
    {
        var filter = EventFilter.From(["web,db", " cache "], null, ["vm.started", ""]);

        Assert.Equal(["web", "db", "cache"], filter.Vms);
        Assert.Equal(["vm.started"], filter.Kinds);
        Assert.True(filter.Matches("vm.started", "db", null));
        Assert.False(filter.Matches("vm.started", null, null));
        Assert.False(filter.Matches("vm.crashed", "db", null));
        Assert.Equal("&vm=web&vm=db&vm=cache&kind=vm.started", filter.ToQuery());
    }
}
