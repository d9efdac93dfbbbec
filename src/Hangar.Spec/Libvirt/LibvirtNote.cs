namespace Hangar.Spec.Libvirt;

/// <summary>A part of a libvirt domain that <see cref="LibvirtDomainImporter"/> could not carry over, or carried over only in part.</summary>
/// <param name="Location">Where it is, XPath-like from the domain: <c>devices/graphics[@type='spice']</c>, <c>devices/disk[2]</c>.</param>
/// <param name="Reason">What Hangar does instead, or why it cannot.</param>
public sealed record LibvirtNote(string Location, string Reason)
{
    public override string ToString() => $"{Location}: {Reason}";
}
