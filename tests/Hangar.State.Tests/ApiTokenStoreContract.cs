namespace Hangar.State.Tests;

/// <summary>
/// What every <see cref="IApiTokenStore"/> engine promises, run once per engine by a subclass (SQLite, PostgreSQL).
/// Each test gets an empty database of its own; <see cref="OpenAsync"/> called again opens a second store on the same
/// database, as a second control-plane process would.
/// </summary>
public abstract class ApiTokenStoreContract : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000);

    protected IApiTokenStore Store { get; set; } = null!;

    protected abstract Task<IApiTokenStore> OpenAsync();

    protected abstract Task DeleteAsync();

    public async Task InitializeAsync() => Store = await OpenAsync();

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await DeleteAsync();
    }

    private static ApiTokenRecord Token(string id, string role = "viewer") => new(id, "hash-" + id, role, "name-" + id, T0, T0.AddDays(1));

    [Fact]
    public async Task ApiTokens_Added_AreReadBackAfterReopenWithEveryField()
    {
        Assert.True(await Store.AddApiTokenAsync(Token("a", "operator"), None));
        Assert.True(await Store.AddApiTokenAsync(Token("b") with { Name = null, ExpiresAt = null, CreatedAt = T0.AddTicks(1234567) }, None));
        await Store.DisposeAsync();
        Store = await OpenAsync();

        var a = await Store.GetApiTokenAsync("a", None);
        var b = await Store.GetApiTokenAsync("b", None);

        Assert.Equal(Token("a", "operator"), a);
        // Instants are kept to the millisecond (123.4567 ms past T0 reads back as 123 ms).
        Assert.Equal(new ApiTokenRecord("b", "hash-b", "viewer", null, T0.AddMilliseconds(123), null), b);
        Assert.Null(await Store.GetApiTokenAsync("c", None));
    }

    [Fact]
    public async Task AddApiToken_SameIdTwice_KeepsTheFirstAndReturnsFalse()
    {
        Assert.True(await Store.AddApiTokenAsync(Token("a", "viewer"), None));

        Assert.False(await Store.AddApiTokenAsync(Token("a", "admin"), None));

        Assert.Equal("viewer", (await Store.GetApiTokenAsync("a", None))!.Role);
    }

    [Fact]
    public async Task ListApiTokens_IsOldestFirstThenById()
    {
        await Store.AddApiTokenAsync(Token("c") with { CreatedAt = T0.AddSeconds(1) }, None);
        await Store.AddApiTokenAsync(Token("b"), None);
        await Store.AddApiTokenAsync(Token("a"), None);

        Assert.Equal(["a", "b", "c"], (await Store.ListApiTokensAsync(None)).Select(t => t.Id));
    }

    [Fact]
    public async Task RemoveApiToken_IsGoneForAnotherStoreOnTheSameDatabase()
    {
        await Store.AddApiTokenAsync(Token("a"), None);
        await using var other = await OpenAsync();
        Assert.NotNull(await other.GetApiTokenAsync("a", None));

        Assert.True(await Store.RemoveApiTokenAsync("a", None));

        Assert.Null(await other.GetApiTokenAsync("a", None));
        Assert.Empty(await other.ListApiTokensAsync(None));
        Assert.False(await other.RemoveApiTokenAsync("a", None));
    }
}
