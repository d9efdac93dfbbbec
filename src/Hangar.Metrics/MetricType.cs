namespace Hangar.Metrics;

/// <summary>The kinds of metric Hangar exposes, as written in a <c># TYPE</c> line.</summary>
public enum MetricType
{
    /// <summary>Only goes up (resets when the process restarts); its name ends in <c>_total</c>.</summary>
    Counter,
    /// <summary>A value that goes up and down, read at scrape time.</summary>
    Gauge,
    /// <summary>Observations counted into cumulative buckets, with their sum and count.</summary>
    Histogram,
}
