namespace Hangar.ControlPlane.Agents;

/// <summary>
/// An agent in this process that can describe its VMs as libvirt domains (<c>GET /api/v1/vms/NAME/xml</c>): the local
/// agent of <c>hangar server</c>. The agent protocol carries no QEMU configuration, so a remote agent's VMs are not
/// described (the answer says so).
/// </summary>
public interface IVmDomainSource
{
    /// <summary>The agent's name, as the VM's placement names it.</summary>
    string AgentName { get; }

    /// <summary>The domain XML of VM <paramref name="vm"/>; null when the agent does not have it.</summary>
    Task<string?> DomainXmlAsync(string vm, CancellationToken ct);
}
