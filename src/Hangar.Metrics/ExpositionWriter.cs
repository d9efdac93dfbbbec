using System.Globalization;
using System.Text;

namespace Hangar.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: per family a <c># HELP</c> and a <c># TYPE</c> line,
/// then its samples <c>name{label="value",…} number</c>, one a line. Label values and help texts are escaped as the
/// format asks (backslash, double quote in label values, newline).
/// </summary>
public sealed class ExpositionWriter
{
    /// <summary>The <c>Content-Type</c> of what it writes.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();

    /// <summary>Starts a family: its help line and its type. Samples of the family follow.</summary>
    public void Family(string name, string help, MetricType type)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type switch
        {
            MetricType.Counter => "counter",
            MetricType.Gauge => "gauge",
            MetricType.Histogram => "histogram",
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        }).Append('\n');
    }

    /// <summary>One sample without labels.</summary>
    public void Sample(string name, double value) => Sample(name, [], [], value);

    /// <summary>One sample; <paramref name="labelNames"/> and <paramref name="labelValues"/> pair up by position.</summary>
    public void Sample(string name, IReadOnlyList<string> labelNames, IReadOnlyList<string> labelValues, double value, string? extraName = null, string? extraValue = null)
    {
        _text.Append(name);
        if (labelNames.Count > 0 || extraName is not null)
        {
            _text.Append('{');
            for (var i = 0; i < labelNames.Count; i++)
            {
                if (i > 0) _text.Append(',');
                Label(labelNames[i], labelValues[i]);
            }
            if (extraName is not null)
            {
                if (labelNames.Count > 0) _text.Append(',');
                Label(extraName, extraValue ?? "");
            }
            _text.Append('}');
        }
        _text.Append(' ').Append(Number(value)).Append('\n');
    }

    /// <summary>A number as the format writes it: <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>, else invariant and round-trippable.</summary>
    public static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>An enum value as a label value, the word the API's JSON uses (<c>Running</c> → <c>running</c>).</summary>
    public static string Word<T>(T value) where T : struct, Enum
    {
        var name = value.ToString();
        return name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
    }

    public override string ToString() => _text.ToString();

    private void Label(string name, string value)
    {
        _text.Append(name).Append("=\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': _text.Append("\\\\"); break;
                case '"': _text.Append("\\\""); break;
                case '\n': _text.Append("\\n"); break;
                default: _text.Append(c); break;
            }
        }
        _text.Append('"');
    }
}
