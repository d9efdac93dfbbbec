namespace Hangar.Agent.Health;

/// <summary>One kind of repeated health check (tcp, http): one attempt per call, never overlapping.</summary>
public interface IHealthProbe : IDisposable
{
    /// <summary>One attempt; returns within <paramref name="timeout"/> (a failure then) unless cancelled.</summary>
    Task<ProbeResult> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>What one attempt found: passed or not, and in words what it saw (for events and status).</summary>
public readonly record struct ProbeResult(bool Passed, string Detail)
{
    public static ProbeResult Pass(string detail) => new(true, detail);
    public static ProbeResult Fail(string detail) => new(false, detail);
}
