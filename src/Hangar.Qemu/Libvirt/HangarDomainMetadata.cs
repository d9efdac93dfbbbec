namespace Hangar.Qemu.Libvirt;

/// <summary>
/// What a libvirt domain written by <see cref="LibvirtDomainXml"/> records about the Hangar VM it came from, in its
/// <c>&lt;metadata&gt;</c> (namespace <see cref="LibvirtDomainXml.HangarNamespace"/>): what the QEMU configuration
/// alone does not say, so that <c>hangar import libvirt</c> can give the VM back as the fleet file had it.
/// </summary>
/// <param name="Image">The VM's image as the fleet file names it (<c>tiny</c>, <c>debian-12</c>, or a name under <c>images</c>).</param>
/// <param name="DiskBytes">The fleet file's <c>disk</c> in bytes; null when it has none.</param>
/// <param name="Agent">The agent whose host the paths in the domain are on.</param>
public sealed record HangarDomainMetadata(string Image, long? DiskBytes, string Agent)
{
    /// <summary>Drives whose path is not written (a comment says why): a cloud-init seed that holds the VM's SSH host
    /// key lives on a tmpfs only while QEMU starts, and its path is a secret's.</summary>
    public IReadOnlyList<string> SecretDriveIds { get; init; } = [];
}
