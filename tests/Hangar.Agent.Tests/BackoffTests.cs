namespace Hangar.Agent.Tests;

/// <summary>The one retry-delay formula: growth, cap, jitter bounds and reset, and the two default schedules.</summary>
public sealed class BackoffTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    /// <summary>A <see cref="Random"/> that returns the given values in turn, so jitter can be pinned.</summary>
    private sealed class FixedRandom(params double[] values) : Random
    {
        private int _next;
        public override double NextDouble() => values[_next++ % values.Length];
    }

    [Fact]
    public void DelayFor_ConsecutiveAttempts_DoublesFromInitial()
    {
        var backoff = new Backoff(Second, TimeSpan.FromMinutes(10), 0, TimeSpan.FromMinutes(2));

        var delays = Enumerable.Range(1, 5).Select(n => backoff.DelayFor(n, new FixedRandom(0.5))).ToArray();

        Assert.Equal([1, 2, 4, 8, 16], delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public void DelayFor_AttemptBelowOne_WaitsTheInitialDelay()
    {
        var backoff = new Backoff(Second, TimeSpan.FromMinutes(1), 0, TimeSpan.FromMinutes(2));

        Assert.Equal(Second, backoff.DelayFor(0, new FixedRandom(0.5)));
        Assert.Equal(Second, backoff.DelayFor(-3, new FixedRandom(0.5)));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(31)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void DelayFor_PastTheCap_WaitsMax(int attempt)
    {
        var backoff = new Backoff(Second, TimeSpan.FromMinutes(1), 0, TimeSpan.FromMinutes(2));

        Assert.Equal(TimeSpan.FromMinutes(1), backoff.DelayFor(attempt, new FixedRandom(0.5)));
    }

    [Theory]
    [InlineData(0.0, 0.8)]
    [InlineData(0.25, 0.9)]
    [InlineData(0.5, 1.0)]
    [InlineData(0.75, 1.1)]
    [InlineData(0.999999, 1.2)]
    public void DelayFor_WithJitter_ScalesByTheRandomFactor(double random, double factor)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), 0.2, TimeSpan.FromMinutes(2));

        Assert.Equal(10 * factor, backoff.DelayFor(1, new FixedRandom(random)).TotalSeconds, precision: 3);
    }

    [Fact]
    public void DelayFor_WithJitter_StaysWithinBoundsAndAroundTheCap()
    {
        var backoff = new Backoff(Second, TimeSpan.FromSeconds(8), 0.2, TimeSpan.FromMinutes(2));
        var random = new Random(42);

        for (var attempt = 1; attempt <= 10; attempt++)
        {
            var expected = Math.Min(Math.Pow(2, attempt - 1), 8);
            var samples = Enumerable.Range(0, 500).Select(_ => backoff.DelayFor(attempt, random).TotalSeconds).ToArray();
            Assert.All(samples, s => Assert.InRange(s, expected * 0.8, expected * 1.2));
            // Jitter spreads the delays: not all the same value.
            Assert.True(samples.Distinct().Count() > 1, $"attempt {attempt}: every delay was {samples[0]}s");
        }
    }

    [Fact]
    public void ShouldReset_RanShorterThanResetAfter_KeepsCounting()
    {
        var backoff = new Backoff(Second, TimeSpan.FromMinutes(1), 0.2, TimeSpan.FromMinutes(2));

        Assert.False(backoff.ShouldReset(TimeSpan.Zero));
        Assert.False(backoff.ShouldReset(TimeSpan.FromMinutes(2) - TimeSpan.FromTicks(1)));
        Assert.True(backoff.ShouldReset(TimeSpan.FromMinutes(2)));
        Assert.True(backoff.ShouldReset(TimeSpan.FromHours(1)));
    }

    [Fact]
    public void ShouldReset_ZeroResetAfter_ResetsAfterAnyRun()
    {
        Assert.True(AgentOptions.DefaultReconnectBackoff.ShouldReset(TimeSpan.Zero));
    }

    [Fact]
    public void DefaultRestartBackoff_Schedule_IsOneSecondDoublingToAMinute()
    {
        var delays = Enumerable.Range(1, 9).Select(n => AgentOptions.DefaultRestartBackoff.DelayFor(n, new FixedRandom(0.5)).TotalSeconds);

        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60, 60], delays);
        Assert.False(AgentOptions.DefaultRestartBackoff.ShouldReset(TimeSpan.FromSeconds(119)));
        Assert.True(AgentOptions.DefaultRestartBackoff.ShouldReset(TimeSpan.FromSeconds(120)));
    }

    [Fact]
    public void DefaultReconnectBackoff_Schedule_MatchesTheFormerReconnectDelay()
    {
        // The connection used min(250 ms × 2^min(n, 10), 30 s) × (0.8 + 0.4 r) before it shared this formula.
        static double Former(int n, double r) => Math.Min(250 * Math.Pow(2, Math.Min(n, 10)), 30_000) * (0.8 + 0.4 * r);

        foreach (var r in new[] { 0.0, 0.3, 0.5, 0.9 })
            for (var n = 1; n <= 15; n++)
                Assert.Equal(Former(n, r), AgentOptions.DefaultReconnectBackoff.DelayFor(n, new FixedRandom(r)).TotalMilliseconds, precision: 3);
    }
}
