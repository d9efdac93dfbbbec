using Hangar.ControlPlane.Auth;
using Hangar.Protocol.Api;
using Hangar.State.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Hangar.ControlPlane.Tests.Auth;

/// <summary>API token rules on a real SQLite file and a fake clock: expiry, revocation, the home's own token.</summary>
public sealed class ApiTokensTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hat-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private SqliteApiTokenStore _store = null!;
    private ApiTokens _tokens = null!;

    public async Task InitializeAsync()
    {
        _store = await SqliteApiTokenStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        _tokens = new ApiTokens(_store, new ControlPlaneOptions("127.0.0.1:0", Path.Combine(_dir, "state.db"), "home-token") { Time = _time });
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Authenticate_UntilItsTtlEnds_ThenRefused()
    {
        var made = await _tokens.CreateAsync(new ApiTokenRequest(ApiRole.Operator, "ci", TimeSpan.FromHours(1)), CancellationToken.None);
        Assert.Equal(_time.GetUtcNow().AddHours(1), made.Info.ExpiresAt);

        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(ApiRole.Operator, (await _tokens.AuthenticateAsync(made.Token, CancellationToken.None))?.Role);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await _tokens.AuthenticateAsync(made.Token, CancellationToken.None));
        Assert.Contains(await _tokens.ListAsync(CancellationToken.None), t => t.Id == made.Info.Id); // still listed, for the operator to see
    }

    [Fact]
    public async Task Authenticate_WithoutTtl_NeverExpiresButRevocationHoldsAtOnce()
    {
        var made = await _tokens.CreateAsync(new ApiTokenRequest(ApiRole.Viewer, null), CancellationToken.None);
        Assert.Null(made.Info.ExpiresAt);

        _time.Advance(TimeSpan.FromDays(3650));
        Assert.Equal(ApiRole.Viewer, (await _tokens.AuthenticateAsync(made.Token, CancellationToken.None))?.Role);

        await _tokens.RevokeAsync(made.Info.Id, CancellationToken.None);
        Assert.Null(await _tokens.AuthenticateAsync(made.Token, CancellationToken.None));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    public async Task Create_TtlNotAboveZero_RefusedAndNothingStored(int seconds)
    {
        await Assert.ThrowsAsync<Hangar.ControlPlane.Agents.AgentRequestException>(() =>
            _tokens.CreateAsync(new ApiTokenRequest(ApiRole.Admin, "x", TimeSpan.FromSeconds(seconds)), CancellationToken.None));
        Assert.Empty(await _tokens.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Authenticate_ForgedSecretOfAKnownId_Refused()
    {
        var made = await _tokens.CreateAsync(new ApiTokenRequest(ApiRole.Admin, null), CancellationToken.None);
        var forged = made.Token[..^4] + (made.Token[^4..] == "0000" ? "1111" : "0000");

        Assert.Null(await _tokens.AuthenticateAsync(forged, CancellationToken.None));
        Assert.Equal(ApiRole.Admin, (await _tokens.AuthenticateAsync("home-token", CancellationToken.None))?.Role);
    }
}
