namespace Hangar.Spec;

/// <summary>Images that every Hangar host can assemble by itself, without a file in the fleet.</summary>
public static class BuiltinImages
{
    /// <summary>
    /// A Debian kernel and a static busybox initramfs, assembled locally from Debian packages. It brings up its
    /// network by DHCP, serves HTTP on port 80, powers off on ACPI power-button, and prints
    /// <see cref="TinyReadyMarker"/> on the serial console once it is up.
    /// </summary>
    public const string Tiny = "tiny";

    /// <summary>The line the tiny image prints on its serial console when it is ready.</summary>
    public const string TinyReadyMarker = "hangar-tiny: ready";

    /// <summary>
    /// The least memory the tiny image boots with. Below it the kernel cannot unpack its initramfs and the guest hangs
    /// before it prints anything, so the plan refuses less (measured under TCG: 74 MiB boots, 73 MiB panics; see docs/fleet-file.md).
    /// </summary>
    public static readonly ByteSize TinyMinMemory = ByteSize.FromMiB(TinyMinMemoryMiB);

    private const int TinyMinMemoryMiB = 80;

    /// <summary>The memory floor of an image: the built-in image's, or what a file image declares (null for none).</summary>
    public static ByteSize? MinMemoryOf(string image, ImageSpec? declared) =>
        IsBuiltin(image) ? TinyMinMemory : declared?.MinMemory;

    public static bool IsBuiltin(string name) => name == Tiny;
}
