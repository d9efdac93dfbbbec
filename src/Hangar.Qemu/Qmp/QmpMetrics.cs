using System.Diagnostics.Metrics;

namespace Hangar.Qemu;

/// <summary>
/// What <see cref="QmpClient"/> measures, as <see cref="System.Diagnostics.Metrics"/> instruments on the meter
/// <see cref="MeterName"/>: whoever exports metrics (the agent's <c>/metrics</c>) listens to them; nobody listening costs
/// nothing.
/// </summary>
public static class QmpMetrics
{
    public const string MeterName = "Hangar.Qemu";

    /// <summary>A histogram of seconds from sending a command to its reply (or its error, timeout or closed connection),
    /// not counting the wait for an earlier command to finish; tagged with <see cref="CommandTag"/>.</summary>
    public const string CommandDurationName = "hangar.qmp.command.duration";

    /// <summary>The tag naming the QMP command (<c>query-status</c>, <c>cont</c>, …).</summary>
    public const string CommandTag = "command";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Histogram<double> CommandDuration = Meter.CreateHistogram<double>(CommandDurationName, "s", "QMP command latency");
}
