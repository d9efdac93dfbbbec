using System.Collections.Concurrent;

namespace Hangar.Metrics;

/// <summary>
/// The series of one labelled metric, one <typeparamref name="T"/> per combination of label values, created on first
/// use and kept in order of creation (so a scrape lists them in a stable order).
/// </summary>
internal sealed class LabelledSeries<T>(string name, IReadOnlyList<string> labelNames, Func<T> create) where T : class
{
    private readonly ConcurrentDictionary<string, (string[] Values, T Series)> _series = new(StringComparer.Ordinal);
    private readonly Lock _orderLock = new();
    private readonly List<string> _order = [];

    public IReadOnlyList<string> LabelNames => labelNames;

    public T Get(string[] values)
    {
        if (values.Length != labelNames.Count)
            throw new ArgumentException($"{name} has the labels ({string.Join(", ", labelNames)}); {values.Length} values were given.", nameof(values));
        var key = string.Join('\0', values);
        if (_series.TryGetValue(key, out var found)) return found.Series;
        lock (_orderLock)
        {
            if (_series.TryGetValue(key, out found)) return found.Series;
            var made = ((string[])values.Clone(), create());
            _series[key] = made;
            _order.Add(key);
            return made.Item2;
        }
    }

    /// <summary>Every series with its label values, in order of creation.</summary>
    public IReadOnlyList<(string[] Values, T Series)> All()
    {
        lock (_orderLock) return _order.Select(key => _series[key]).ToArray();
    }
}
