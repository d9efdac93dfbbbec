using Hangar.ControlPlane.Agents;
using Hangar.Protocol.Api;
using Hangar.State;

namespace Hangar.ControlPlane.Auth;

/// <summary>
/// API tokens <c>hat_ID_SECRET</c> (<c>ID</c> 12 hex digits names the row, <c>SECRET</c> 64 hex digits proves it), each
/// with a role, kept as the SHA-256 of the whole token like join tokens (<see cref="AgentSecrets"/>): 256 random bits
/// need no slow hash. Shown once, when made. The home's own token (<see cref="ControlPlaneOptions.ApiToken"/>, in
/// <c>daemon.json</c> for <c>hangar up</c>) is admin and lives only in memory.
/// </summary>
public sealed class ApiTokens(IApiTokenStore store, ControlPlaneOptions options)
{
    public const string Prefix = "hat_";
    public const string AdminTokenName = "admin";
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(3650);

    /// <summary>Makes a token; returns it (the only time it exists in the clear) and what is listed of it.</summary>
    public async Task<ApiTokenResponse> CreateAsync(ApiTokenRequest request, CancellationToken ct)
    {
        if (request.Ttl is { } ttl && (ttl <= TimeSpan.Zero || ttl > MaxTtl))
            throw new AgentRequestException(AgentRequestError.Invalid, $"ttl: {ttl} is not valid; give a duration above 0 and at most {MaxTtl.TotalDays:0} days, or none for a token that does not expire.");
        if (request.Name is { } name && (name.Length is 0 or > 64 || name.Any(char.IsControl)))
            throw new AgentRequestException(AgentRequestError.Invalid, "name: give 1 to 64 printable characters.");
        if (!Enum.IsDefined(request.Role))
            throw new AgentRequestException(AgentRequestError.Invalid, "role: use admin, operator or viewer.");
        var (id, token) = AgentSecrets.NewSecret(Prefix);
        var now = options.Time.GetUtcNow();
        var record = new ApiTokenRecord(id, AgentSecrets.Hash(token), RoleWord(request.Role), request.Name, now, now + request.Ttl);
        if (!await store.AddApiTokenAsync(record, ct))
            throw new AgentRequestException(AgentRequestError.Conflict, $"An API token with id {id} exists already; try again.");
        return new ApiTokenResponse(token, Info(record));
    }

    public async Task<IReadOnlyList<ApiTokenInfo>> ListAsync(CancellationToken ct) =>
        (await store.ListApiTokensAsync(ct)).Select(Info).ToArray();

    /// <summary>Revokes token <paramref name="id"/> (the id, or the whole token): it stops working at once.</summary>
    public async Task<ApiTokenInfo> RevokeAsync(string id, CancellationToken ct)
    {
        var key = AgentSecrets.SecretId(Prefix, id) ?? id;
        var record = await store.GetApiTokenAsync(key, ct) ?? throw new AgentRequestException(AgentRequestError.NotFound, $"There is no API token {key}; see `hangar api-token list`.");
        await store.RemoveApiTokenAsync(key, ct);
        return Info(record);
    }

    /// <summary>Who <paramref name="bearer"/> is, or null when it is no valid token (unknown, revoked or expired).</summary>
    public async Task<ApiCaller?> AuthenticateAsync(string? bearer, CancellationToken ct)
    {
        if (bearer is null) return null;
        if (AgentSecrets.HashesEqual(AgentSecrets.Hash(bearer), AgentSecrets.Hash(options.ApiToken))) return new ApiCaller(ApiRole.Admin, null, null);
        if (AgentSecrets.SecretId(Prefix, bearer) is not { } id) return null;
        var record = await store.GetApiTokenAsync(id, ct);
        if (record is null || !AgentSecrets.Matches(bearer, record.SecretHash)) return null;
        if (record.ExpiresAt is { } expires && options.Time.GetUtcNow() >= expires) return null;
        return ParseRole(record.Role) is { } role ? new ApiCaller(role, record.Id, record.Name) : null;
    }

    /// <summary>
    /// On a control plane with no admin token (its first start, or after every admin token was revoked), makes one and
    /// writes it to <paramref name="path"/> (0600, replacing what was there). Returns whether it did.
    /// </summary>
    public async Task<bool> EnsureAdminTokenAsync(string path, CancellationToken ct)
    {
        if ((await store.ListApiTokensAsync(ct)).Any(t => ParseRole(t.Role) == ApiRole.Admin)) return false;
        var made = await CreateAsync(new ApiTokenRequest(ApiRole.Admin, AdminTokenName), ct);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temp = path + ".tmp";
        File.Delete(temp);
        await using (var file = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteAsync(made.Token + "\n");
        }
        File.Move(temp, path, overwrite: true);
        return true;
    }

    public static string RoleWord(ApiRole role) => role switch
    {
        ApiRole.Admin => "admin",
        ApiRole.Operator => "operator",
        _ => "viewer",
    };

    public static ApiRole? ParseRole(string word) => word switch
    {
        "admin" => ApiRole.Admin,
        "operator" => ApiRole.Operator,
        "viewer" => ApiRole.Viewer,
        _ => null,
    };

    private static ApiTokenInfo Info(ApiTokenRecord record) =>
        new(record.Id, record.Name, ParseRole(record.Role) ?? ApiRole.Viewer, record.CreatedAt, record.ExpiresAt);
}
