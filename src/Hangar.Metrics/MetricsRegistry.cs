namespace Hangar.Metrics;

/// <summary>
/// What one process serves on <c>/metrics</c>: its sources (counters, histograms, gauges read at scrape time), written
/// in the order they were added. Sources can be added while it is scraped (the local agent of <c>hangar server</c>
/// joins after the control plane).
/// </summary>
public sealed class MetricsRegistry
{
    private readonly Lock _lock = new();
    private IMetricSource[] _sources = [];

    /// <summary>Adds <paramref name="source"/> and returns it.</summary>
    public T Add<T>(T source) where T : IMetricSource
    {
        lock (_lock) _sources = [.. _sources, source];
        return source;
    }

    /// <summary>Adds a source written by <paramref name="collect"/> at every scrape (gauges from current state).</summary>
    public void Add(Action<ExpositionWriter> collect) => Add(new CallbackSource(collect));

    /// <summary>Every source's families, in the text exposition format.</summary>
    public string Scrape()
    {
        var writer = new ExpositionWriter();
        IMetricSource[] sources;
        lock (_lock) sources = _sources;
        foreach (var source in sources) source.Collect(writer);
        return writer.ToString();
    }

    private sealed class CallbackSource(Action<ExpositionWriter> collect) : IMetricSource
    {
        public void Collect(ExpositionWriter writer) => collect(writer);
    }
}
