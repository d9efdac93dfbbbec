namespace Hangar.Spec.Libvirt;

/// <summary>A libvirt domain turned into fleet-file text (<see cref="LibvirtDomainImporter.Import"/>).</summary>
/// <param name="Yaml">A fleet-file fragment with the VM under <c>vms:</c> and, for a disk of its own, its image under
/// <c>images:</c>; it parses as a fleet file by itself.</param>
/// <param name="VmName">The VM's name in <paramref name="Yaml"/>.</param>
/// <param name="Notes">Every part of the domain that was not carried over, in document order.</param>
public sealed record LibvirtImport(string Yaml, string VmName, IReadOnlyList<LibvirtNote> Notes);
