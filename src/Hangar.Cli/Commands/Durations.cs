using System.CommandLine.Parsing;

namespace Hangar.Cli.Commands;

/// <summary>Durations on the command line: <c>500ms</c>, <c>90s</c>, <c>5m</c>, <c>1h</c>, or plain seconds.</summary>
public static class Durations
{
    public static TimeSpan Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(text, out var value)) return value;
        result.AddError($"'{text}' is not a duration; write it like 90s, 5m or 500ms.");
        return default;
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var (number, unit) = text.EndsWith("ms") ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : text.EndsWith('m') ? (text[..^1], 60_000.0)
            : text.EndsWith('h') ? (text[..^1], 3_600_000.0)
            : (text, 1000.0);
        if (!double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 0) return false;
        value = TimeSpan.FromMilliseconds(n * unit);
        return true;
    }
}
