namespace Hangar.State;

/// <summary>
/// Durable API tokens (<c>hangar api-token create|list|revoke</c>, and the admin token a server writes on its first
/// start): each with a role, kept only as the SHA-256 hash of its secret, as join tokens are (<see cref="IAgentStore"/>).
/// Both engines have it (<see cref="Sqlite.SqliteApiTokenStore"/>, <see cref="Postgres.PostgresApiTokenStore"/>, opened
/// by <see cref="StateStores.OpenApiTokenStoreAsync"/>). It stores; the control plane decides what a role may do.
/// </summary>
public interface IApiTokenStore : IAsyncDisposable
{
    /// <summary>Inserts a token; false (and nothing written) when one with its id exists.</summary>
    Task<bool> AddApiTokenAsync(ApiTokenRecord record, CancellationToken ct);

    Task<ApiTokenRecord?> GetApiTokenAsync(string id, CancellationToken ct);

    /// <summary>Every token, oldest first (then by id).</summary>
    Task<IReadOnlyList<ApiTokenRecord>> ListApiTokensAsync(CancellationToken ct);

    /// <summary>Deletes a token, which stops working at once; false when there was none.</summary>
    Task<bool> RemoveApiTokenAsync(string id, CancellationToken ct);
}

/// <summary>An API token, by its public id; the secret part is kept only as a hash.</summary>
/// <param name="Role">The role's word (<c>admin</c>, <c>operator</c>, <c>viewer</c>); the store does not interpret it.</param>
/// <param name="ExpiresAt">When it stops working; null for never.</param>
public sealed record ApiTokenRecord(
    string Id,
    string SecretHash,
    string Role,
    string? Name,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt);
