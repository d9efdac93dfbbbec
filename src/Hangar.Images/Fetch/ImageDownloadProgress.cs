namespace Hangar.Images.Fetch;

/// <summary>How far a download is: bytes on disk (a resumed download counts what it had) out of the total, when known.</summary>
public readonly record struct ImageDownloadProgress(long Done, long? Total, bool Resumed)
{
    /// <summary>"12.0 of 64.0 MiB (18 %)", for a VM's status line.</summary>
    public override string ToString() => Total is { } total and > 0
        ? $"{Mib(Done)} of {Mib(total)} MiB ({Done * 100 / total} %)" + (Resumed ? ", resumed" : "")
        : $"{Mib(Done)} MiB" + (Resumed ? ", resumed" : "");

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
