namespace Hangar.Spec;

/// <summary>The bounds the validator enforces; the JSON Schema states the same numbers from here.</summary>
internal static class SpecLimits
{
    public const int MinVcpu = 1, MaxVcpu = 64;
    public const int MinPort = 1, MaxPort = 65535;
    public static readonly ByteSize MinMemory = ByteSize.FromMiB(64);
    public static readonly ByteSize MinDisk = ByteSize.FromMiB(1);
    public const int MinHealthFailures = 1, MaxHealthFailures = 100;
    public const int MinHttpStatus = 100, MaxHttpStatus = 599;
    /// <summary>A check more often than this would load a TCG guest for nothing; each check is a real connection.</summary>
    public static readonly TimeSpan MinHealthInterval = TimeSpan.FromMilliseconds(100);
}
