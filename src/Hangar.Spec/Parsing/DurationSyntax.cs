using System.Globalization;

namespace Hangar.Spec.Parsing;

/// <summary>Durations as fleet files write them: an integer and one unit, <c>500ms</c>, <c>120s</c>, <c>5m</c>, <c>1h</c>.</summary>
internal static class DurationSyntax
{
    private static readonly (string Unit, TimeSpan Length)[] Units =
        [("h", TimeSpan.FromHours(1)), ("m", TimeSpan.FromMinutes(1)), ("s", TimeSpan.FromSeconds(1)), ("ms", TimeSpan.FromMilliseconds(1))];

    public static bool TryParse(string text, out TimeSpan duration, out string? error)
    {
        duration = default;
        var match = SpecPatterns.DurationRegex.Match(text);
        if (!match.Success)
        {
            error = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _)
                ? $"'{text}' has no unit; write it with one, like {text}s"
                : $"'{text}' is not a duration; write an integer and a unit (ms, s, m or h), like 120s";
            return false;
        }
        var number = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = Units.First(u => u.Unit == match.Groups[2].Value).Length;
        if (number == 0)
        {
            error = $"'{text}' is not a positive duration; it must be more than zero";
            return false;
        }
        if (number > TimeSpan.MaxValue.Ticks / unit.Ticks)
        {
            error = $"'{text}' is too long a duration";
            return false;
        }
        duration = unit * number;
        error = null;
        return true;
    }

    /// <summary>The form a person would write for a default: whole seconds as <c>120s</c>, otherwise milliseconds.</summary>
    public static string Format(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerSecond == 0 ? $"{duration.Ticks / TimeSpan.TicksPerSecond}s"
        : duration.Ticks % TimeSpan.TicksPerMillisecond == 0 ? $"{duration.Ticks / TimeSpan.TicksPerMillisecond}ms"
        : throw new ArgumentException($"{duration} is not a whole number of milliseconds", nameof(duration));
}
