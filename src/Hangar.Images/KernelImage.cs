namespace Hangar.Images;

/// <summary>
/// A bootable kernel + initramfs pair, ready to hand to QEMU's <c>-kernel</c>/<c>-initrd</c>/<c>-append</c>.
/// </summary>
/// <param name="Digest">Content address of the image (lowercase hex sha256); names its cache directory.</param>
/// <param name="KernelPath">Absolute path of the kernel (bzImage).</param>
/// <param name="InitrdPath">Absolute path of the gzip'd newc cpio initramfs.</param>
/// <param name="KernelCommandLine">Base kernel command line; callers append <c>hangar.name=NAME</c> and user arguments.</param>
/// <param name="ReadyMarker">The exact line the guest prints on its serial console once it is ready.</param>
public sealed record KernelImage(string Digest, string KernelPath, string InitrdPath, string KernelCommandLine, string ReadyMarker);
