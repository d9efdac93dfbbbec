namespace Hangar.Spec;

/// <summary>
/// A host directory a VM's guest mounts over virtiofs (an entry of its <c>shares</c> mapping). The VM's agent serves it
/// with one virtiofsd per share; the guest mounts it by <paramref name="Tag"/> (<c>mount -t virtiofs TAG /mnt/x</c>),
/// which Hangar's tiny image and cloud-init guests do at <paramref name="MountPoint"/> when one is given.
/// </summary>
/// <param name="Tag">The share's key in the file: 1–36 letters, digits, '_' and '-'.</param>
/// <param name="Source">An absolute path of a directory on the VM's host; the agent refuses to start the VM without it.</param>
/// <param name="MountPoint">Where the guest mounts it; null to leave mounting to the guest.</param>
/// <param name="ReadOnly">The host serves it read-only (a read-only bind mount the guest cannot write through), and the
/// guest mounts it read-only.</param>
public sealed record ShareSpec(string Tag, string Source, string? MountPoint, bool ReadOnly)
{
    public override string ToString() => $"{Tag} {Source}" + (MountPoint is { } at ? $" at {at}" : "") + (ReadOnly ? " ro" : "");
}
