using System.Text;

namespace Hangar.Agent.Health;

/// <summary>Reads a VM's serial log as it grows, looking for a marker.</summary>
public static class SerialLogWatcher
{
    // QEMU's chardev log file offers no notification of its own; a short read interval on a local file is cheap
    // (one stat per tick) and simpler than inotify, which does not fire for every write of another process reliably.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Completes with true once <paramref name="marker"/> appears in the log after byte <paramref name="offset"/>;
    /// runs until <paramref name="ct"/> is cancelled otherwise.
    /// </summary>
    public static async Task<bool> WaitForAsync(string logPath, long offset, string marker, CancellationToken ct)
    {
        var tail = "";
        var position = offset;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (File.Exists(logPath))
            {
                await using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if (stream.Length < position) position = 0; // the log was truncated or replaced
                if (stream.Length > position)
                {
                    stream.Position = position;
                    var buffer = new byte[stream.Length - position];
                    var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
                    position += read;
                    var text = tail + Encoding.UTF8.GetString(buffer, 0, read);
                    if (text.Contains(marker, StringComparison.Ordinal)) return true;
                    // keep enough of the end that a marker split across two reads is still found
                    tail = text.Length > marker.Length ? text[^marker.Length..] : text;
                }
            }
            await Task.Delay(Interval, ct);
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of the log, for error messages.</summary>
    /// <remarks>Never throws for a missing or unreadable log: the lines only add to a message.</remarks>
    public static string[] LastLines(string logPath, int lines)
    {
        try
        {
            using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var start = Math.Max(0, stream.Length - 8192);
            stream.Position = start;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var all = reader.ReadToEnd().Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return all.Length <= lines ? all : all[^lines..];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
