using System.Text;

namespace Hangar.Images.Tiny;

/// <summary>
/// What goes into the tiny image: which Debian packages, which kernel modules (in load order) and which recipe files.
/// Its <see cref="Key"/> changes whenever any of that changes, which invalidates the cached image.
/// </summary>
internal static class TinyRecipe
{
    /// <summary>Bump when the way the image is assembled changes in a way the inputs below do not show.</summary>
    public const int Version = 1;

    /// <summary>Metapackage that names the current cloud kernel; we pin the concrete package it depends on.</summary>
    public const string KernelMetaPackage = "linux-image-cloud-amd64";
    public const string KernelPackagePrefix = "linux-image-";
    public const string BusyboxPackage = "busybox-static";

    /// <summary>
    /// Modules loaded by /init, in this order (each only needs the ones before it). Virtio is modular in Debian's
    /// cloud kernel; evdev + button make the ACPI power button an input device that busybox acpid can watch;
    /// qemu_fw_cfg shows QEMU's fw_cfg files (systemd credentials) under /sys/firmware/qemu_fw_cfg; virtio_balloon
    /// drives a VM's memory balloon; fuse + virtiofs mount its shares.
    /// </summary>
    public static IReadOnlyList<string> Modules { get; } =
    [
        "virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci",
        "failover", "net_failover", "virtio_net", "virtio_blk",
        "evdev", "button",
        "qemu_fw_cfg",
        "virtio_balloon",
        "fuse", "virtiofs",
    ];

    /// <summary>File in the image listing the modules to load, one path (relative to /lib/modules/VERSION) a line.</summary>
    public const string ModuleListPath = "etc/hangar/modules";

    private const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Readable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static IReadOnlyList<TinyRecipeFile> Files { get; } =
    [
        new("Hangar.Images.Tiny.init", "init", Executable),
        new("Hangar.Images.Tiny.udhcpc.script", "etc/udhcpc/default.script", Executable),
        new("Hangar.Images.Tiny.acpid.conf", "etc/acpid.conf", Readable),
        new("Hangar.Images.Tiny.power-button", "etc/acpi/power-button", Executable),
    ];

    private static readonly Lazy<string> LazyKey = new(ComputeKey);

    /// <summary>sha256 over the recipe version, kernel command line, module list and recipe files.</summary>
    public static string Key => LazyKey.Value;

    /// <summary>The image digest: the recipe key plus the exact packages (by their .deb sha256) it is built from.</summary>
    public static string Digest(IEnumerable<Debian.DebianPackage> packages)
    {
        var text = new StringBuilder().Append("recipe ").Append(Key).Append('\n');
        foreach (var package in packages.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            text.Append("package ").Append(package.Name).Append(' ').Append(package.Version).Append(' ').Append(package.Sha256).Append('\n');
        }

        return FileDigest.Sha256(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static string ComputeKey()
    {
        var text = new StringBuilder()
            .Append("hangar-tiny ").Append(Version).Append('\n')
            .Append("cmdline ").Append(TinyImage.KernelCommandLine).Append('\n');
        foreach (var module in Modules)
        {
            text.Append("module ").Append(module).Append('\n');
        }

        foreach (var file in Files)
        {
            text.Append("file ").Append(file.PathInImage).Append(' ').Append(Convert.ToString((int)file.Mode, 8))
                .Append(' ').Append(FileDigest.Sha256(file.ReadContent())).Append('\n');
        }

        return FileDigest.Sha256(Encoding.UTF8.GetBytes(text.ToString()));
    }
}
