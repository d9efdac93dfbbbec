using System.Diagnostics.Metrics;

namespace Hangar.Metrics;

/// <summary>
/// Feeds the measurements of a <see cref="System.Diagnostics.Metrics"/> histogram instrument (a library's own, such as
/// Hangar.Qemu's QMP latency) into a <see cref="Histogram"/>, with one tag of each measurement as its one label. A
/// library so measures without knowing who exports it; the bridge lives until disposed.
/// </summary>
public sealed class MeterBridge : IDisposable
{
    private readonly MeterListener _listener = new();

    /// <param name="meterName">The <see cref="Meter.Name"/> to listen to.</param>
    /// <param name="instrumentName">The instrument's name within it (a <c>Histogram&lt;double&gt;</c>).</param>
    /// <param name="tag">The measurement tag whose value becomes <paramref name="target"/>'s one label.</param>
    public MeterBridge(string meterName, string instrumentName, string tag, Histogram target)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && instrument.Name == instrumentName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var label = "";
            foreach (var pair in tags)
                if (pair.Key == tag) label = pair.Value?.ToString() ?? "";
            target.Observe(value, label);
        });
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();
}
