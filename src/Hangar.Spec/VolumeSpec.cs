namespace Hangar.Spec;

/// <summary>
/// A named volume of a VM (an entry of its <c>volumes</c> mapping): a disk of its own beside the VM's main disk, made
/// empty on the VM's first start, grown when its size grows, never shrunk, and kept when the VM leaves the fleet (only
/// <c>hangar down --purge</c> deletes it). The guest sees it as a virtio disk whose serial is its name
/// (<c>/dev/disk/by-id/virtio-NAME</c>).
/// </summary>
/// <param name="Name">1–20 lowercase letters, digits and '-', starting with a letter (virtio-blk serials hold 20 bytes).</param>
/// <param name="Size">Its virtual size, a whole number of MiB, at least 1 MiB.</param>
/// <param name="Format">qcow2 (the default: it grows as written) or raw.</param>
public sealed record VolumeSpec(string Name, ByteSize Size, DiskFormat Format)
{
    public override string ToString() => $"{Name} {Size} {(Format == DiskFormat.Raw ? "raw" : "qcow2")}";
}
