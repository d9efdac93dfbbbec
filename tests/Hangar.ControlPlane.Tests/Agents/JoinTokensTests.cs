using Hangar.ControlPlane.Agents;
using Hangar.State.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Hangar.ControlPlane.Tests.Agents;

/// <summary>Join-token rules on a real SQLite file and a fake clock: uses, expiry, hashing.</summary>
public sealed class JoinTokensTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hjt-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
    private SqliteAgentStore _store = null!;
    private JoinTokens _tokens = null!;

    public async Task InitializeAsync()
    {
        _store = await SqliteAgentStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        _tokens = new JoinTokens(_store, _time);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Redeem_UpToItsUses_ThenRefusedSayingSo()
    {
        var (token, _) = await _tokens.CreateAsync(null, 2, null, CancellationToken.None);

        Assert.Equal(1, (await _tokens.RedeemAsync(token, CancellationToken.None)).Used);
        Assert.Equal(2, (await _tokens.RedeemAsync(token, CancellationToken.None)).Used);
        var e = await Assert.ThrowsAsync<AgentRefusedException>(() => _tokens.RedeemAsync(token, CancellationToken.None));
        Assert.Contains("used 2 of 2 times", e.Message);
    }

    [Fact]
    public async Task Redeem_ManyAgentsAtOnceWithOneToken_EveryUseGoesToExactlyOne()
    {
        var tokens = new JoinTokens(new InterleavingAgentStore(_store), _time);
        var (token, _) = await tokens.CreateAsync(null, 40, null, CancellationToken.None);

        var redeemed = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => tokens.RedeemAsync(token, CancellationToken.None))));

        Assert.Equal(Enumerable.Range(1, 40), redeemed.Select(r => r.Used).Order());
        var e = await Assert.ThrowsAsync<AgentRefusedException>(() => _tokens.RedeemAsync(token, CancellationToken.None));
        Assert.Contains("used 40 of 40 times", e.Message);
    }

    [Fact]
    public async Task Redeem_AfterItsTtl_IsRefusedAsExpired()
    {
        var (token, record) = await _tokens.CreateAsync(TimeSpan.FromMinutes(10), 5, null, CancellationToken.None);
        Assert.Equal(_time.GetUtcNow().AddMinutes(10), record.ExpiresAt);

        _time.Advance(TimeSpan.FromMinutes(9));
        await _tokens.RedeemAsync(token, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));

        var e = await Assert.ThrowsAsync<AgentRefusedException>(() => _tokens.RedeemAsync(token, CancellationToken.None));
        Assert.Contains("expired", e.Message);
    }

    [Fact]
    public async Task Create_DefaultsToOneUseForAnHour()
    {
        var (_, record) = await _tokens.CreateAsync(null, null, null, CancellationToken.None);

        Assert.Equal((1, _time.GetUtcNow().AddHours(1)), (record.Uses, record.ExpiresAt));
    }

    [Fact]
    public async Task Create_KeepsOnlyAHashOfTheToken()
    {
        var (token, record) = await _tokens.CreateAsync(null, 1, null, CancellationToken.None);

        Assert.Equal(AgentSecrets.Hash(token), record.SecretHash);
        Assert.Equal(AgentSecrets.JoinTokenId(token), record.Id);
        var secret = token.Split('_')[2];
        await _store.DisposeAsync();
        var bytes = string.Concat(Directory.GetFiles(_dir).Select(File.ReadAllText));
        Assert.DoesNotContain(secret, bytes);
        Assert.Contains(record.SecretHash, bytes);
        _store = await SqliteAgentStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
    }

    [Theory]
    [InlineData("hjt_0123456789ab_00")]                      // cut short
    [InlineData("hac_0123456789abcdef")]                     // a credential, not a token
    [InlineData("nonsense")]
    public async Task Redeem_NotAJoinToken_IsRefused(string token)
    {
        var e = await Assert.ThrowsAsync<AgentRefusedException>(() => _tokens.RedeemAsync(token, CancellationToken.None));
        Assert.Contains("not a join token", e.Message);
    }

    [Fact]
    public async Task Redeem_KnownIdWithAnotherSecret_IsRefusedAndUsesNothing()
    {
        var (token, record) = await _tokens.CreateAsync(null, 1, null, CancellationToken.None);
        var forged = $"hjt_{record.Id}_{new string('0', 64)}";

        var e = await Assert.ThrowsAsync<AgentRefusedException>(() => _tokens.RedeemAsync(forged, CancellationToken.None));
        Assert.Contains("not known", e.Message);
        Assert.Equal(1, (await _tokens.RedeemAsync(token, CancellationToken.None)).Used);
    }

    [Theory]
    [InlineData(0, 1, "ttl")]
    [InlineData(60, 0, "uses")]
    public async Task Create_OutOfRange_SaysWhatIsValid(int ttlSeconds, int uses, string field)
    {
        var e = await Assert.ThrowsAsync<AgentRequestException>(() => _tokens.CreateAsync(TimeSpan.FromSeconds(ttlSeconds), uses, null, CancellationToken.None));
        Assert.StartsWith(field + ":", e.Message);
        Assert.Equal(AgentRequestError.Invalid, e.Error);
    }

    [Fact]
    public async Task Create_BadLabel_NamesIt()
    {
        var e = await Assert.ThrowsAsync<AgentRequestException>(() =>
            _tokens.CreateAsync(null, 1, new Dictionary<string, string> { ["zone"] = "a b" }, CancellationToken.None));
        Assert.Contains("labels.zone", e.Message);
    }
}
