using Hangar.State.Postgres;
using Hangar.State.Replication;
using Hangar.Testing;

namespace Hangar.State.Tests.Postgres;

/// <summary>The directory of replicas (<see cref="PostgresReplicaDirectory"/>, migration 6) on a real PostgreSQL, as two replicas use it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresReplicaDirectoryTests(PostgresCluster cluster)
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Register_TwoReplicasAndARestart_EachRowAsItsReplicaLastWroteIt()
    {
        var location = new StateStoreLocation(StateStoreEngine.Postgres, await cluster.CreateDatabaseAsync());
        await using var a = await PostgresReplicaDirectory.OpenAsync(location, None);
        await using var b = await PostgresReplicaDirectory.OpenAsync(location, None);

        await a.RegisterAsync(new ReplicaRecord("a:1", "https://a:1/", "sha256:" + new string('a', 64), "hash-a", T0), None);
        await b.RegisterAsync(new ReplicaRecord("b:2", "http://b:2/", null, "hash-b", T0), None);
        await a.RegisterAsync(new ReplicaRecord("a:1", "https://a2:1/", null, "hash-a2", T0.AddMinutes(1)), None); // restarted

        Assert.Equal([
            new ReplicaRecord("a:1", "https://a2:1/", null, "hash-a2", T0.AddMinutes(1)),
            new ReplicaRecord("b:2", "http://b:2/", null, "hash-b", T0),
        ], await b.ListAsync(None));
    }

    [Fact]
    public async Task Images_ReplacedAddedAndRemoved_PerReplica()
    {
        var location = new StateStoreLocation(StateStoreEngine.Postgres, await cluster.CreateDatabaseAsync());
        await using var a = await PostgresReplicaDirectory.OpenAsync(location, None);
        await using var b = await PostgresReplicaDirectory.OpenAsync(location, None);
        var (d1, d2) = (new string('1', 64), new string('2', 64));

        await a.ReplaceImagesAsync("a:1", [new ImageCopy(d1, "a:1", 10), new ImageCopy(d2, "a:1", 20)], None);
        await b.AddImageAsync(new ImageCopy(d1, "b:2", 10), None);
        await b.AddImageAsync(new ImageCopy(d1, "b:2", 10), None); // twice: one row
        await a.ReplaceImagesAsync("a:1", [new ImageCopy(d2, "a:1", 20)], None); // a's store at its restart
        Assert.Equal([new ImageCopy(d1, "b:2", 10), new ImageCopy(d2, "a:1", 20)], await a.ListImagesAsync(None));

        await b.RemoveImagesAsync("b:2", [d1, d2], None);
        Assert.Equal([new ImageCopy(d2, "a:1", 20)], await b.ListImagesAsync(None));
    }
}
