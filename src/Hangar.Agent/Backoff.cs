namespace Hangar.Agent;

/// <summary>
/// The agent's one retry-delay formula, used for VM restarts and for reconnecting to the control plane:
/// attempt <c>n</c> (1-based) waits <c>Initial × 2^(n-1)</c>, capped at <c>Max</c>, times a random factor in
/// <c>[1 - Jitter, 1 + Jitter]</c> so that many VMs (or agents) that fail together do not retry in lockstep.
/// The attempt count starts again once the thing retried has run for <c>ResetAfter</c> (see <see cref="ShouldReset"/>).
/// The defaults live in <see cref="AgentOptions"/>.
/// </summary>
public sealed record Backoff(TimeSpan Initial, TimeSpan Max, double Jitter, TimeSpan ResetAfter)
{
    /// <summary>The delay before retry number <paramref name="attempt"/> (1-based; below 1 counts as 1).</summary>
    public TimeSpan DelayFor(int attempt, Random random)
    {
        // 2^30 × any sensible Initial is far beyond any sensible Max; the clamp keeps Math.Pow finite.
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var baseMs = Math.Min(Initial.TotalMilliseconds * Math.Pow(2, exponent), Max.TotalMilliseconds);
        var factor = 1 + Jitter * (random.NextDouble() * 2 - 1);
        return TimeSpan.FromMilliseconds(baseMs * factor);
    }

    /// <summary>True when something that ran for <paramref name="ranFor"/> before failing starts a fresh count.</summary>
    public bool ShouldReset(TimeSpan ranFor) => ranFor >= ResetAfter;
}
