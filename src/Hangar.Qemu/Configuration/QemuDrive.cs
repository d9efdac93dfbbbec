namespace Hangar.Qemu;

/// <summary>A disk attached to the VM as a virtio-blk device.</summary>
/// <param name="Path">The image file on the host.</param>
/// <param name="Format"><c>qcow2</c> or <c>raw</c>; always given explicitly so QEMU never probes a raw image's content.</param>
/// <param name="Id">The QEMU block node and device id: a letter, then letters, digits, '-', '.' or '_'.</param>
/// <param name="ReadOnly">Attached read-only (<c>readonly=on</c>), such as a cloud-init seed: the guest cannot write it.</param>
/// <param name="Serial">The disk's serial as the guest sees it (<c>/dev/disk/by-id/virtio-SERIAL</c>), at most 20 bytes; null for none.</param>
public sealed record QemuDrive(string Path, string Format, string Id, bool ReadOnly = false, string? Serial = null);
