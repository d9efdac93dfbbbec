using System.Globalization;

namespace Hangar.Spec.Parsing;

/// <summary>The request path and the accepted status codes of an <c>http</c> health check, as fleet files write them.</summary>
internal static class HttpCheckSyntax
{
    private const int MaxPathLength = 2048;

    /// <summary>An origin-form request target: starts with '/', printable ASCII without spaces, at most 2048 characters.</summary>
    public static bool IsValidPath(string text, out string? error)
    {
        error = null;
        if (!text.StartsWith('/')) error = $"'{text}' is not a request path; it starts with '/', like /healthz";
        else if (text.Length > MaxPathLength) error = $"The request path is {text.Length} characters long; at most {MaxPathLength} are allowed";
        else if (text.Any(c => c <= ' ' || c >= 0x7f))
            error = "The request path has a space or a character outside printable ASCII; percent-encode it (%20)";
        else if (text.Contains('#', StringComparison.Ordinal))
            error = "The request path has a '#': a fragment is never sent to a server; leave it out or write %23";
        return error is null;
    }

    /// <summary><c>200</c>, <c>200-399</c>, <c>200,204,300-308</c>: codes from 100 to 599, ranges low to high.</summary>
    public static bool TryParseStatus(string text, out ValueList<HttpStatusRange> status, out string? error)
    {
        status = default;
        var ranges = new List<HttpStatusRange>();
        foreach (var raw in text.Split(','))
        {
            var item = raw.Trim();
            var dash = item.IndexOf('-', StringComparison.Ordinal);
            var low = dash < 0 ? item : item[..dash];
            var high = dash < 0 ? item : item[(dash + 1)..];
            if (!TryCode(low, out var min) || !TryCode(high, out var max))
            {
                error = $"'{item}' is not a status code or range; write codes from {SpecLimits.MinHttpStatus} to {SpecLimits.MaxHttpStatus} " +
                        "as \"200\", \"200-399\" or \"200,204\"";
                return false;
            }
            if (min > max)
            {
                error = $"The status range '{item}' goes from high to low; write it as {max}-{min}";
                return false;
            }
            ranges.Add(new HttpStatusRange(min, max));
        }
        status = new ValueList<HttpStatusRange>(ranges);
        error = null;
        return true;
    }

    private static bool TryCode(string text, out int code) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out code)
        && code >= SpecLimits.MinHttpStatus && code <= SpecLimits.MaxHttpStatus;
}
