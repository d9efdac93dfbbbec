using Hangar.State;

namespace Hangar.ControlPlane.Agents;

/// <summary>
/// Join tokens: made by an operator (<c>hangar token create</c>), each good for <c>uses</c> joins until it expires.
/// The token is shown once; the store keeps its hash. Redeeming one counts a use (atomically, so the last use goes
/// to exactly one agent) and gives the labels the operator attached to it.
/// </summary>
public sealed class JoinTokens(IAgentStore store, TimeProvider time)
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(365);
    public const int MaxUses = 10_000;

    // Redeems in this process one at a time: hosts provisioned together all join with the same token at once, and
    // without this each of them lost the compare-and-swap to another until its tries ran out (8 agents joining at
    // once were enough; bench/README.md, "Scale"). The compare-and-swap still decides between replicas.
    private readonly SemaphoreSlim _redeeming = new(1, 1);

    /// <summary>Makes a token; returns it (the only time it exists in the clear) and its row.</summary>
    public async Task<(string Token, JoinTokenRecord Record)> CreateAsync(TimeSpan? ttl, int? uses, IReadOnlyDictionary<string, string>? labels, CancellationToken ct)
    {
        var lifetime = ttl ?? DefaultTtl;
        if (lifetime <= TimeSpan.Zero || lifetime > MaxTtl)
            throw new AgentRequestException(AgentRequestError.Invalid, $"ttl: {lifetime} is not valid; give a duration above 0 and at most {MaxTtl.TotalDays:0} days (e.g. 1h).");
        var count = uses ?? 1;
        if (count is < 1 or > MaxUses)
            throw new AgentRequestException(AgentRequestError.Invalid, $"uses: {count} is not valid; give a number from 1 to {MaxUses}.");
        AgentLabels.Check(labels);
        var (id, token) = AgentSecrets.NewJoinToken();
        var now = time.GetUtcNow();
        var record = new JoinTokenRecord(id, AgentSecrets.Hash(token), now, now + lifetime, count, 0,
            labels ?? new Dictionary<string, string>());
        await store.AddJoinTokenAsync(record, ct);
        return (token, record);
    }

    /// <summary>Counts one use of <paramref name="token"/>, or throws <see cref="AgentRefusedException"/> saying why not.</summary>
    public async Task<JoinTokenRecord> RedeemAsync(string token, CancellationToken ct)
    {
        var id = AgentSecrets.JoinTokenId(token) ?? throw new AgentRefusedException("This is not a join token (they look like hjt_…); make one with `hangar token create`.");
        await _redeeming.WaitAsync(ct);
        try
        {
            return await RedeemOnceAsync(id, token, ct);
        }
        finally
        {
            _redeeming.Release();
        }
    }

    private async Task<JoinTokenRecord> RedeemOnceAsync(string id, string token, CancellationToken ct)
    {
        // A few tries: another agent may take a use between our read and our write; the compare-and-swap notices.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var record = await store.GetJoinTokenAsync(id, ct);
            if (record is null || !AgentSecrets.Matches(token, record.SecretHash))
                throw new AgentRefusedException($"Join token {id} is not known to this control plane.");
            if (time.GetUtcNow() >= record.ExpiresAt)
                throw new AgentRefusedException($"Join token {id} expired at {record.ExpiresAt:u}; make a new one with `hangar token create`.");
            if (record.Used >= record.Uses)
                throw new AgentRefusedException($"Join token {id} was used {record.Used} of {record.Uses} times already; make a new one with `hangar token create`.");
            if (await store.TryUseJoinTokenAsync(id, record.Used, ct)) return record with { Used = record.Used + 1 };
        }
        throw new AgentRefusedException($"Join token {id} is being used by other agents right now; try again.");
    }
}
