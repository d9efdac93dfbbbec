using System.Threading.Channels;
using Hangar.State.Postgres;
using Hangar.State.Replication;
using Hangar.Testing;
using Npgsql;

namespace Hangar.State.Tests.Postgres;

/// <summary>
/// The leader lock and the change feed on a real PostgreSQL, as two replicas (two instances, sessions of their own)
/// would use them: one holder at a time, the lock freed when its session dies, who holds it readable by the other,
/// notices delivered to the other replica only, and a reload asked for after the feed's session was lost.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresReplicationTests(PostgresCluster cluster)
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private async Task<StateStoreLocation> DatabaseAsync()
    {
        var location = new StateStoreLocation(StateStoreEngine.Postgres, await cluster.CreateDatabaseAsync());
        await (await PostgresStateStore.OpenAsync(location, None)).DisposeAsync(); // migrated, as a server's start does
        return location;
    }

    /// <summary>Ends every session named <paramref name="applicationName"/>, as a killed process's sessions end.</summary>
    private static async Task TerminateAsync(StateStoreLocation location, string applicationName)
    {
        await using var connection = new NpgsqlConnection(location.Target);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @n AND datname = current_database()", connection);
        cmd.Parameters.AddWithValue("n", applicationName);
        Assert.Equal(1L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task LeaderLock_TwoReplicas_OneHoldsItAndTheOtherSeesWho()
    {
        var location = await DatabaseAsync();
        await using var a = new PostgresLeaderLock(location, "a:1");
        await using var b = new PostgresLeaderLock(location, "b:2");

        Assert.True(await a.TryAcquireAsync(None));
        Assert.False(await b.TryAcquireAsync(None));
        Assert.True(await a.TryAcquireAsync(None)); // held already
        Assert.True(await a.StillHeldAsync(None));
        Assert.Equal("a:1", await b.HolderAsync(None));

        await a.ReleaseAsync();
        Assert.Null(await b.HolderAsync(None));
        Assert.True(await b.TryAcquireAsync(None));
        Assert.Equal("b:2", await a.HolderAsync(None));
    }

    [Fact]
    public async Task LeaderLock_HoldersSessionKilled_HolderNoticesAndTheOtherTakesIt()
    {
        var location = await DatabaseAsync();
        await using var a = new PostgresLeaderLock(location, "a:1");
        await using var b = new PostgresLeaderLock(location, "b:2");
        Assert.True(await a.TryAcquireAsync(None));

        await TerminateAsync(location, "hangar-leader a:1");

        Assert.False(await a.StillHeldAsync(None));
        Assert.True(await b.TryAcquireAsync(None));
        Assert.False(await a.TryAcquireAsync(None));
    }

    [Fact]
    public async Task ChangeFeed_ANoticeFromOneReplica_ReachesTheOtherOnlyAndLiveReplicasAreListed()
    {
        var location = await DatabaseAsync();
        await using var a = new PostgresChangeFeed(location, "a:1");
        await using var b = new PostgresChangeFeed(location, "b:2");
        await using var leaderLock = new PostgresLeaderLock(location, "a:1");
        var heardByA = Channel.CreateUnbounded<StoreChange>();
        var heardByB = Channel.CreateUnbounded<StoreChange>();
        using var stop = new CancellationTokenSource();
        var listenA = a.ListenAsync((c, _) => heardByA.Writer.WriteAsync(c).AsTask(), stop.Token);
        var listenB = b.ListenAsync((c, _) => heardByB.Writer.WriteAsync(c).AsTask(), stop.Token);
        Assert.Equal(StoreChangeKind.Reset, (await heardByA.Reader.ReadAsync().AsTask().WaitAsync(Wait)).Kind);
        Assert.Equal(StoreChangeKind.Reset, (await heardByB.Reader.ReadAsync().AsTask().WaitAsync(Wait)).Kind);
        Assert.Equal(new HashSet<string> { "a:1", "b:2" }, await leaderLock.LiveReplicasAsync(None));

        await a.PublishAsync(new StoreChange(StoreChangeKind.AgentOnline, "a:1", "agent-7"), None);
        await b.PublishAsync(new StoreChange(StoreChangeKind.Generation, "b:2"), None);

        Assert.Equal(new StoreChange(StoreChangeKind.AgentOnline, "a:1", "agent-7"), await heardByB.Reader.ReadAsync().AsTask().WaitAsync(Wait));
        Assert.Equal(new StoreChange(StoreChangeKind.Generation, "b:2"), await heardByA.Reader.ReadAsync().AsTask().WaitAsync(Wait));
        Assert.False(heardByA.Reader.TryRead(out _)); // its own notice is not handed back
        Assert.False(heardByB.Reader.TryRead(out _));
        await stop.CancelAsync();
        await Task.WhenAll(listenA, listenB).WaitAsync(Wait);
    }

    [Fact]
    public async Task ChangeFeed_ListeningSessionLost_ReconnectsAndAsksForAReloadThenHearsNoticesAgain()
    {
        var location = await DatabaseAsync();
        await using var a = new PostgresChangeFeed(location, "a:1");
        await using var b = new PostgresChangeFeed(location, "b:2");
        var heard = Channel.CreateUnbounded<StoreChange>();
        var lost = 0;
        b.Lost += _ => Interlocked.Increment(ref lost);
        using var stop = new CancellationTokenSource();
        var listen = b.ListenAsync((c, _) => heard.Writer.WriteAsync(c).AsTask(), stop.Token);
        Assert.Equal(StoreChangeKind.Reset, (await heard.Reader.ReadAsync().AsTask().WaitAsync(Wait)).Kind);

        await TerminateAsync(location, "hangar-replica b:2");

        Assert.Equal(StoreChangeKind.Reset, (await heard.Reader.ReadAsync().AsTask().WaitAsync(Wait)).Kind);
        Assert.Equal(1, lost);
        await a.PublishAsync(new StoreChange(StoreChangeKind.Placement, "a:1"), None);
        Assert.Equal(StoreChangeKind.Placement, (await heard.Reader.ReadAsync().AsTask().WaitAsync(Wait)).Kind);
        await stop.CancelAsync();
        await listen.WaitAsync(Wait);
    }

    [Theory]
    [InlineData(StoreChangeKind.Generation, null)]
    [InlineData(StoreChangeKind.AgentOffline, "web-1")]
    public void StoreChange_Payload_RoundTrips(StoreChangeKind kind, string? subject)
    {
        var change = new StoreChange(kind, "host:7600", subject);
        Assert.Equal(change, StoreChange.Parse(change.ToPayload()));
        Assert.Null(StoreChange.Parse("from-a-newer-hangar\thost:1"));
    }

    [Fact]
    public async Task ObservedStore_ReportsOfOneReplica_AreReadByAnotherAfterWhatItSawAndAWholeReportMarksTheRestGone()
    {
        var location = await DatabaseAsync();
        await using var writer = await PostgresObservedStore.OpenAsync(location, None);
        await using var reader = await PostgresObservedStore.OpenAsync(location, None);
        await using var feed = new PostgresChangeFeed(location, "b:2");
        var heard = Channel.CreateUnbounded<StoreChange>();
        using var stop = new CancellationTokenSource();
        var listen = feed.ListenAsync((c, _) => heard.Writer.WriteAsync(c).AsTask(), stop.Token);
        Assert.Equal(StoreChangeKind.Reset, (await heard.Reader.ReadAsync().AsTask().WaitAsync(Wait)).Kind);

        await writer.WriteAsync(new ObservedReport("a1", "a:1", "{head1}", [new("web", "{web1}", 10), new("db", "{db1}", 11)]), None);
        Assert.Equal(new StoreChange(StoreChangeKind.Observed, "a:1", "a1"), await heard.Reader.ReadAsync().AsTask().WaitAsync(Wait));
        var all = await reader.ReadAsync("a1", 0, None);
        Assert.Equal(("a:1", "{head1}"), (all.Replica, all.AgentReport));
        Assert.Equal([new ObservedRow("web", "{web1}", 10), new ObservedRow("db", "{db1}", 11)], all.Vms);

        await writer.WriteAsync(new ObservedReport("a1", "a:1", "{head2}", [new("db", "{db2}", 12)]), None);
        var next = await reader.ReadAsync("a1", all.Seq, None);
        Assert.Equal("{head2}", next.AgentReport);
        Assert.Equal([new ObservedRow("db", "{db2}", 12)], next.Vms); // only what changed since the last read
        Assert.True(next.Seq > all.Seq);

        // Another replica's whole report (the agent reconnected there) names only db: web is gone.
        await writer.WriteAsync(new ObservedReport("a1", "c:3", "{head3}", [new("db", "{db3}", 5)], WholeVms: ["db"]), None);
        var whole = await reader.ReadAsync("a1", next.Seq, None);
        Assert.Equal("c:3", whole.Replica);
        Assert.Equal([new ObservedRow("db", "{db3}", 5), new ObservedRow("web", null, 10)], whole.Vms);
        Assert.Empty((await reader.ReadAsync("a1", whole.Seq, None)).Vms);
        var nobody = await reader.ReadAsync("nobody", 0, None);
        Assert.Equal((null, null, 0L), (nobody.Replica, nobody.AgentReport, nobody.Seq));
        Assert.Empty(nobody.Vms);
        await stop.CancelAsync();
        await listen.WaitAsync(Wait);
    }
}
