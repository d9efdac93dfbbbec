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

/// <summary>
/// A built disk image with the kernel and initramfs it boots (taken out of its own /boot, so QEMU boots them directly
/// and the disk needs neither a partition table nor a boot loader).
/// </summary>
/// <param name="Digest">Content address: the recipe key the image was built from; names its cache directory.</param>
/// <param name="DiskPath">The qcow2 disk; VMs get an overlay on it, it is never written.</param>
/// <param name="KernelPath">The image's own kernel.</param>
/// <param name="InitrdPath">The image's own initramfs (it loads the virtio modules the cloud kernel has as modules).</param>
/// <param name="KernelCommandLine">Base kernel command line; callers append user arguments.</param>
public sealed record DiskBootImage(string Digest, string DiskPath, string KernelPath, string InitrdPath, string KernelCommandLine);
