using Hangar.Cli.Commands;

namespace Hangar.Cli.Tests.Commands;

/// <summary>Durations as <c>--timeout</c> and <c>--confirm-timeout</c> take them.</summary>
public sealed class DurationsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("90s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("2", 2_000)] // plain seconds
    [InlineData("0s", 0)]
    public void TryParse_WithOrWithoutAUnit_IsThatLong(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ms")]
    [InlineData("-1s")]
    [InlineData("5x")]
    [InlineData("1d")]
    [InlineData("five minutes")]
    public void TryParse_NotADuration_IsRefused(string text) =>
        Assert.False(Durations.TryParse(text, out _));
}
