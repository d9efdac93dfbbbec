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

    /// <summary>
    /// Debian 12 (bookworm) with systemd, cloud-init, OpenSSH and the QEMU guest agent, built locally from Debian
    /// packages into a qcow2 disk (images/debian-12/README.md). It boots its own kernel and initramfs directly and
    /// reads the VM's <c>guest</c> settings from a cloud-init seed that Hangar attaches.
    /// </summary>
    public const string Debian12 = "debian-12";

    /// <summary>The built-in images' names, for messages.</summary>
    public static readonly IReadOnlyList<string> Names = [Tiny, Debian12];

    /// <summary>The line the tiny image prints on its serial console when it is ready.</summary>
    public const string TinyReadyMarker = "hangar-tiny: ready";

    /// <summary>
    /// The least memory the tiny image boots with. Below it the kernel cannot unpack its initramfs and the guest hangs
    /// before it prints anything, so the plan refuses less (measured under TCG: 74 MiB boots, 73 MiB panics; see docs/fleet-file.md).
    /// </summary>
    public static readonly ByteSize TinyMinMemory = ByteSize.FromMiB(TinyMinMemoryMiB);

    /// <summary>
    /// The least memory the debian-12 image is allowed: systemd, cloud-init (Python) and sshd. Its initramfs alone
    /// unpacks to about 40 MiB; cloud-init's first boot needs the rest.
    /// </summary>
    public static readonly ByteSize Debian12MinMemory = ByteSize.FromMiB(Debian12MinMemoryMiB);

    private const int TinyMinMemoryMiB = 80;
    private const int Debian12MinMemoryMiB = 256;

    /// <summary>The memory floor of an image: the built-in image's, or what a file image declares (null for none).</summary>
    public static ByteSize? MinMemoryOf(string image, ImageSpec? declared) => image switch
    {
        Tiny => TinyMinMemory,
        Debian12 => Debian12MinMemory,
        _ => declared?.MinMemory,
    };

    public static bool IsBuiltin(string name) => name is Tiny or Debian12;

    /// <summary>Whether the image boots a kernel of Hangar's directly (so <c>kernelArgs</c> apply): both built-in images.</summary>
    public static bool BootsKernel(string name) => IsBuiltin(name);

    /// <summary>Whether the image is a disk every VM of it gets a copy-on-write overlay of: all but <c>tiny</c>.</summary>
    public static bool IsDisk(string name) => name != Tiny;
}
