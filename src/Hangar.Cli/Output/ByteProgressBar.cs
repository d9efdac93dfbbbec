using System.Diagnostics;
using System.Globalization;

namespace Hangar.Cli.Output;

/// <summary>
/// A one-line progress bar on stderr for a transfer of known size (<c>uploading base [#####.....] 12.0/64.0 MiB 18 %</c>),
/// redrawn at most ten times a second on a terminal; when stderr is not a terminal, only the finished line is written.
/// </summary>
public sealed class ByteProgressBar(string label, long total) : IProgress<long>
{
    private const int Width = 30;
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private readonly Stopwatch _since = Stopwatch.StartNew();
    private TimeSpan _drawn = TimeSpan.MinValue;

    public void Report(long value)
    {
        if (!_interactive) return;
        var now = _since.Elapsed;
        if (value < total && now - _drawn < TimeSpan.FromMilliseconds(100)) return;
        _drawn = now;
        Console.Error.Write("\r" + Render(value));
    }

    /// <summary>Ends the line: the bar at its final state, then a line break.</summary>
    public void Done(long value)
    {
        var seconds = Math.Max(_since.Elapsed.TotalSeconds, 0.001);
        var rate = (value / (1024.0 * 1024) / seconds).ToString("0.0", CultureInfo.InvariantCulture);
        Console.Error.WriteLine((_interactive ? "\r" : "") + Render(value) + $" in {seconds.ToString("0.0", CultureInfo.InvariantCulture)}s ({rate} MiB/s)");
    }

    private string Render(long value)
    {
        var fraction = total <= 0 ? 1 : Math.Clamp((double)value / total, 0, 1);
        var filled = (int)(fraction * Width);
        return $"{label} [{new string('#', filled)}{new string('.', Width - filled)}] {Mib(value)}/{Mib(total)} MiB {(int)(fraction * 100),3} %";
    }

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture);
}
