using Hangar.Metrics;

namespace Hangar.Integration.Observability;

/// <summary>What <c>Hangar.Metrics</c> writes, read back with the strict <see cref="PrometheusText"/> parser.</summary>
public sealed class ExpositionWriterTests
{
    [Fact]
    public void Counter_LabelValueWithQuoteBackslashNewline_IsEscapedAndReadsBack()
    {
        var counter = new Counter("hangar_test_total", "A help text\\with a backslash\nand a newline.", "vm");
        counter.Inc("we\"ird\\name\n");
        counter.Add(2.5, "plain");
        var registry = new MetricsRegistry();
        registry.Add(counter);

        var text = PrometheusText.Parse(registry.Scrape());
        Assert.Equal(1, text.Value("hangar_test_total", ("vm", "we\"ird\\name\n")));
        Assert.Equal(2.5, text.Value("hangar_test_total", ("vm", "plain")));
        Assert.Equal("A help text\\\\with a backslash\\nand a newline.", text.Families["hangar_test_total"].Help);
    }

    [Fact]
    public void Histogram_Observations_AreCumulativeBucketsWithSumAndCount()
    {
        var histogram = new Histogram("hangar_test_seconds", "Test.", [0.1, 1, 10], "command");
        foreach (var value in new[] { 0.05, 0.1, 0.5, 5, 50 }) histogram.Observe(value, "cont");
        var registry = new MetricsRegistry();
        registry.Add(histogram);

        var text = PrometheusText.Parse(registry.Scrape());
        Assert.Equal(2, text.Value("hangar_test_seconds_bucket", ("command", "cont"), ("le", "0.1"))); // le is "at or below"
        Assert.Equal(3, text.Value("hangar_test_seconds_bucket", ("command", "cont"), ("le", "1")));
        Assert.Equal(4, text.Value("hangar_test_seconds_bucket", ("command", "cont"), ("le", "10")));
        Assert.Equal(5, text.Value("hangar_test_seconds_bucket", ("command", "cont"), ("le", "+Inf")));
        Assert.Equal(5, text.Value("hangar_test_seconds_count", ("command", "cont")));
        Assert.Equal(55.65, text.Value("hangar_test_seconds_sum", ("command", "cont"))!.Value, 6);
    }

    [Fact]
    public void Counter_NameWithoutTotal_IsRefused() =>
        Assert.Contains("_total", Assert.Throws<ArgumentException>(() => new Counter("hangar_test", "x")).Message);

    [Fact]
    public void Counter_WrongNumberOfLabelValues_IsRefusedNamingTheLabels() =>
        Assert.Contains("(vm)", Assert.Throws<ArgumentException>(() => new Counter("hangar_test_total", "x", "vm").Inc()).Message);

    [Fact]
    public void MeterBridge_MeasurementsOfTheInstrument_ReachTheHistogramByTag()
    {
        using var meter = new System.Diagnostics.Metrics.Meter("Hangar.Test." + Guid.NewGuid().ToString("N"));
        var instrument = meter.CreateHistogram<double>("test.duration");
        var target = new Histogram("hangar_test_duration_seconds", "Test.", Histogram.ShortDurations, "command");
        using (new MeterBridge(meter.Name, "test.duration", "command", target))
        {
            instrument.Record(0.002, new KeyValuePair<string, object?>("command", "query-status"));
            instrument.Record(0.004, new KeyValuePair<string, object?>("command", "query-status"));
        }
        instrument.Record(0.004, new KeyValuePair<string, object?>("command", "query-status")); // after disposal: not counted
        Assert.Equal(2, target.Count("query-status"));
    }
}
