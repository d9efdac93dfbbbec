namespace Hangar.Metrics;

/// <summary>
/// A histogram with labels: per combination of label values, the count of observations at or below each upper bound
/// (cumulative, ending in <c>+Inf</c>), their sum and their count, written as <c>NAME_bucket{le="…"}</c>,
/// <c>NAME_sum</c>, <c>NAME_count</c>. Safe to observe from any thread.
/// </summary>
public sealed class Histogram : IMetricSource
{
    /// <summary>Seconds, for durations from a millisecond to a minute (QMP commands, probes).</summary>
    public static IReadOnlyList<double> ShortDurations { get; } = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>Seconds, for durations from a second to an hour (rollouts).</summary>
    public static IReadOnlyList<double> LongDurations { get; } = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];

    private readonly double[] _bounds;
    private readonly LabelledSeries<Cells> _series;

    /// <param name="bounds">The buckets' upper bounds, increasing; <c>+Inf</c> is added.</param>
    public Histogram(string name, string help, IReadOnlyList<double> bounds, params string[] labelNames)
    {
        if (labelNames.Contains("le")) throw new ArgumentException("'le' is the bucket label of a histogram; it cannot be one of its own labels.", nameof(labelNames));
        for (var i = 1; i < bounds.Count; i++)
            if (!(bounds[i] > bounds[i - 1])) throw new ArgumentException($"The bounds of {name} must increase; {bounds[i]} follows {bounds[i - 1]}.", nameof(bounds));
        Name = name;
        Help = help;
        _bounds = bounds.ToArray();
        _series = new LabelledSeries<Cells>(name, labelNames, () => new Cells(_bounds.Length));
    }

    public string Name { get; }
    public string Help { get; }

    /// <summary>Counts <paramref name="value"/> into the series of <paramref name="labelValues"/>.</summary>
    public void Observe(double value, params string[] labelValues)
    {
        var cells = _series.Get(labelValues);
        var bucket = 0;
        while (bucket < _bounds.Length && value > _bounds[bucket]) bucket++;
        lock (cells)
        {
            cells.Buckets[bucket]++; // not cumulative here: summed when written
            cells.Sum += value;
            cells.Count++;
        }
    }

    /// <summary>How many observations one series holds.</summary>
    public long Count(params string[] labelValues)
    {
        var cells = _series.Get(labelValues);
        lock (cells) return cells.Count;
    }

    public void Collect(ExpositionWriter writer)
    {
        writer.Family(Name, Help, MetricType.Histogram);
        foreach (var (values, cells) in _series.All())
        {
            long[] buckets;
            double sum;
            long count;
            lock (cells)
            {
                buckets = (long[])cells.Buckets.Clone();
                sum = cells.Sum;
                count = cells.Count;
            }
            long cumulative = 0;
            for (var i = 0; i <= _bounds.Length; i++)
            {
                cumulative += buckets[i];
                var le = i < _bounds.Length ? ExpositionWriter.Number(_bounds[i]) : "+Inf";
                writer.Sample(Name + "_bucket", _series.LabelNames, values, cumulative, "le", le);
            }
            writer.Sample(Name + "_sum", _series.LabelNames, values, sum);
            writer.Sample(Name + "_count", _series.LabelNames, values, count);
        }
    }

    private sealed class Cells(int bounds)
    {
        public readonly long[] Buckets = new long[bounds + 1];
        public double Sum;
        public long Count;
    }
}
