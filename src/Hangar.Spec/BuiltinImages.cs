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

    public static bool IsBuiltin(string name) => name == Tiny;
}
