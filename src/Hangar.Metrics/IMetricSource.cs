namespace Hangar.Metrics;

/// <summary>Something that writes one or more metric families when <c>/metrics</c> is scraped.</summary>
public interface IMetricSource
{
    /// <summary>Writes this source's families (each a <see cref="ExpositionWriter.Family"/> then its samples).</summary>
    void Collect(ExpositionWriter writer);
}
