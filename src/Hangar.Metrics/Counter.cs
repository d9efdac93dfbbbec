namespace Hangar.Metrics;

/// <summary>
/// A counter with labels (<c>hangar_…_total</c>): one value per combination of label values, only ever increased.
/// Safe to increase from any thread.
/// </summary>
public sealed class Counter : IMetricSource
{
    private readonly LabelledSeries<Cell> _series;

    /// <param name="name">Ends in <c>_total</c>, as Prometheus counters do.</param>
    public Counter(string name, string help, params string[] labelNames)
    {
        if (!name.EndsWith("_total", StringComparison.Ordinal))
            throw new ArgumentException($"A counter's name ends in _total; '{name}' does not.", nameof(name));
        Name = name;
        Help = help;
        _series = new LabelledSeries<Cell>(name, labelNames, () => new Cell());
    }

    public string Name { get; }
    public string Help { get; }

    /// <summary>Adds one to the series of <paramref name="labelValues"/> (in the order of the label names).</summary>
    public void Inc(params string[] labelValues) => Add(1, labelValues);

    /// <summary>Adds <paramref name="amount"/> (≥ 0) to the series of <paramref name="labelValues"/>.</summary>
    public void Add(double amount, params string[] labelValues)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var cell = _series.Get(labelValues);
        lock (cell) cell.Value += amount;
    }

    /// <summary>The value of one series; 0 for one never increased.</summary>
    public double Value(params string[] labelValues)
    {
        var cell = _series.Get(labelValues);
        lock (cell) return cell.Value;
    }

    public void Collect(ExpositionWriter writer)
    {
        writer.Family(Name, Help, MetricType.Counter);
        foreach (var (values, cell) in _series.All())
        {
            double value;
            lock (cell) value = cell.Value;
            writer.Sample(Name, _series.LabelNames, values, value);
        }
    }

    private sealed class Cell
    {
        public double Value;
    }
}
