namespace Hangar.Images;

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
