using Hangar.ControlPlane.Replicas;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.ControlPlane.Tests.Replicas;

/// <summary>The credential replicas present to each other (<see cref="ReplicaPeers"/>): a secret per run, checked against
/// the hash in the presenting replica's own row.</summary>
public sealed class ReplicaPeersTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly FakeReplicaNetwork _network = new();
    private readonly FakeReplicaDirectory _directory = new();

    private async Task<ReplicaPeers> StartAsync(string id)
    {
        var peers = new ReplicaPeers(ReplicaLink.Shared(id, new FakeChangeFeed(_network, id), NullLogger.Instance), _directory, TimeProvider.System, NullLogger.Instance);
        await peers.RegisterAsync(new Uri($"http://{id}/"), null, None);
        return peers;
    }

    /// <summary>The id and secret <paramref name="from"/> sends with a request to <paramref name="to"/>.</summary>
    private static async Task<(string Id, string Secret)> CredentialAsync(ReplicaPeers from, ReplicaPeers to)
    {
        using var request = from.Request(HttpMethod.Get, (await from.FindAsync(to.Self, None))!, "/replica/gc");
        return (request.Headers.GetValues(ReplicaPeers.ReplicaHeader).Single(), request.Headers.GetValues("Authorization").Single()["Bearer ".Length..]);
    }

    [Fact]
    public async Task Authenticate_TheOtherReplicasSecret_IsAccepted_AndNothingElse()
    {
        await using var a = await StartAsync("a:1");
        await using var b = await StartAsync("b:2");
        var (id, secret) = await CredentialAsync(b, a);

        Assert.Equal("b:2", id);
        Assert.True(await a.AuthenticateAsync(id, secret, None));
        Assert.False(await a.AuthenticateAsync(id, secret[..^1] + (secret[^1] == '0' ? '1' : '0'), None)); // another secret
        Assert.False(await a.AuthenticateAsync("c:3", secret, None)); // a replica with no row
        Assert.False(await a.AuthenticateAsync("a:1", (await CredentialAsync(a, b)).Secret, None)); // itself
        Assert.False(await a.AuthenticateAsync(id, null, None));
        Assert.False(await a.AuthenticateAsync(id, "hat_abc_def", None)); // an API token is not a replica's secret
    }

    [Fact]
    public async Task Authenticate_AReplicaRestarted_ItsNewSecretIsAcceptedAndTheOldOneNoLonger()
    {
        await using var a = await StartAsync("a:1");
        var (_, before) = await CredentialAsync(await StartAsync("b:2"), a);
        Assert.True(await a.AuthenticateAsync("b:2", before, None)); // a has read b's row

        await using var restarted = await StartAsync("b:2");
        var (_, after) = await CredentialAsync(restarted, a);

        Assert.NotEqual(before, after);
        Assert.True(await a.AuthenticateAsync("b:2", after, None));
        Assert.False(await a.AuthenticateAsync("b:2", before, None));
    }
}
