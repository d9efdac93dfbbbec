namespace Hangar.Cli.Commands;

/// <summary>Labels on the command line: <c>k=v</c> pairs, in repeated flags or separated by commas.</summary>
public static class Labels
{
    public static IReadOnlyDictionary<string, string>? Parse(IEnumerable<string> values)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new InvalidOperationException($"--labels: '{pair}' is not a label; write key=value (e.g. --labels zone=a,gpu=true).");
            labels[pair[..eq]] = pair[(eq + 1)..];
        }
        return labels.Count == 0 ? null : labels;
    }

    public static string Text(IReadOnlyDictionary<string, string> labels) =>
        labels.Count == 0 ? "-" : string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}
