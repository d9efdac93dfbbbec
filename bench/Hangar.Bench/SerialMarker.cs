using System.Diagnostics;
using System.Text;

namespace Hangar.Bench;

/// <summary>
/// Waits for a line in a serial log file, polling every 5 ms. The same watcher is used for Hangar's and for raw
/// QEMU's log, so both figures carry the same (small) detection delay.
/// </summary>
internal static class SerialMarker
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);

    /// <summary>The Stopwatch timestamp at which <paramref name="marker"/> was first seen in <paramref name="path"/>.</summary>
    public static async Task<long> WaitAsync(string path, string marker, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        long position = 0;
        var tail = "";
        var buffer = new byte[64 * 1024];
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (File.Exists(path))
            {
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
                stream.Position = position;
                int read;
                while ((read = await stream.ReadAsync(buffer, ct)) > 0)
                {
                    position += read;
                    var text = tail + Encoding.UTF8.GetString(buffer, 0, read);
                    if (text.Contains(marker, StringComparison.Ordinal)) return Stopwatch.GetTimestamp();
                    tail = text.Length > marker.Length ? text[^marker.Length..] : text;
                }
            }
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"'{marker}' did not appear in {path} within {timeout.TotalSeconds:0} s.");
            await Task.Delay(Interval, ct);
        }
    }
}
