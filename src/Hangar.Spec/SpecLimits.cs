namespace Hangar.Spec;

/// <summary>The bounds the validator enforces; the JSON Schema states the same numbers from here.</summary>
internal static class SpecLimits
{
    public const int MinVcpu = 1, MaxVcpu = 64;
    public const int MinPort = 1, MaxPort = 65535;
    public static readonly ByteSize MinMemory = ByteSize.FromMiB(64);
    public static readonly ByteSize MinDisk = ByteSize.FromMiB(1);
}
