namespace Hangar.Qemu;

/// <summary>
/// A virtiofs device of the VM (<c>vhost-user-fs-pci</c>): QEMU connects to <paramref name="Socket"/>, where a virtiofsd
/// serving the host directory must already listen, and the guest mounts the file system by <paramref name="Tag"/>.
/// </summary>
/// <param name="Id">The chardev id: a letter, then letters, digits, '-', '.' or '_'.</param>
/// <param name="Tag">The mount tag the guest sees: 1–36 bytes, no ','.</param>
/// <param name="Socket">virtiofsd's vhost-user socket.</param>
/// <param name="Source">The host directory virtiofsd serves. Not on QEMU's command line; what a libvirt domain of the VM names.</param>
/// <param name="ReadOnly">virtiofsd serves it read-only. Not on QEMU's command line either.</param>
public sealed record QemuShare(string Id, string Tag, string Socket, string? Source = null, bool ReadOnly = false)
{
    /// <summary>The longest tag a virtio-fs device holds.</summary>
    public const int MaxTagBytes = 36;
}
