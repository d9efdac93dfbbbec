namespace Hangar.Protocol.Api;

/// <summary>
/// Labels on a command line, the same for <c>hangar token create</c> and <c>hangar agent</c>: <c>k=v</c> pairs, in
/// repeated flags or separated by commas. The server checks what makes a valid key or value.
/// </summary>
public static class LabelArguments
{
    /// <exception cref="InvalidOperationException">A pair without <c>=</c>, or with an empty key.</exception>
    public static IReadOnlyDictionary<string, string> Parse(IEnumerable<string> values)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new InvalidOperationException($"--labels: '{pair}' is not a label; write key=value (e.g. --labels zone=a,gpu=true).");
            labels[pair[..eq]] = pair[(eq + 1)..];
        }
        return labels;
    }

    /// <summary><c>k=v,k2=v2</c> in key order, or <c>-</c> for none.</summary>
    public static string Text(IReadOnlyDictionary<string, string> labels) =>
        labels.Count == 0 ? "-" : string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}
