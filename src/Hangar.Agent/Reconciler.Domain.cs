using Hangar.Agent.Vms;
using Hangar.Protocol.Agent.Wire;
using Hangar.Qemu.Libvirt;

namespace Hangar.Agent;

public sealed partial class Reconciler
{
    /// <summary>
    /// The libvirt domain XML of desired VM <paramref name="name"/> (<c>hangar vm xml</c>), from the QEMU configuration
    /// this agent gives it: the same <see cref="IVmDriver.PlanAsync"/> a start uses, so the XML describes what QEMU runs
    /// (or would run at the next start: a running VM whose settings changed shows the new ones). A VM whose image is
    /// not on this host yet gets it first, as a start would. Paths are this host's. Null when the VM is not on this agent.
    /// </summary>
    public async Task<string?> DomainXmlAsync(string name, CancellationToken ct)
    {
        WireDesiredVm? wire;
        lock (_gate) wire = _desired.Vms.FirstOrDefault(v => v.Spec.Name == name);
        if (wire is null) return null;
        var desired = WireMapping.FromWire(wire);
        var plan = await _driver.PlanAsync(desired, null, ct);
        // A seed with the VM's host key in it is written on the credentials' tmpfs at each start: its path stays out.
        return LibvirtDomainXml.Write(plan.Config, new HangarDomainMetadata(desired.Spec.Image, desired.Spec.Disk?.Bytes, _options.Name)
        {
            SecretDriveIds = plan.Identity is null ? [] : plan.Config.Drives.Where(d => d.Id == "seed").Select(d => d.Id).ToArray(),
        });
    }
}
