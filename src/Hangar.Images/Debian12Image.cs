namespace Hangar.Images;

/// <summary>
/// Facts about Hangar's built-in <c>debian-12</c> guest that the rest of Hangar relies on.
/// The guest itself is described in images/debian-12/README.md.
/// </summary>
public static class Debian12Image
{
    /// <summary>The name fleet files use for this image.</summary>
    public const string Name = "debian-12";

    /// <summary>
    /// Base kernel command line: the console on the serial port, the root file system on the whole first virtio disk,
    /// mounted read-write by the kernel; <c>panic=-1</c> reboots at once on a panic.
    /// </summary>
    public const string KernelCommandLine = "console=ttyS0 root=/dev/vda rw panic=-1";
}
