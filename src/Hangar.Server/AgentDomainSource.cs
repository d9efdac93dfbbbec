using Hangar.Agent;
using Hangar.ControlPlane.Agents;

namespace Hangar.Server;

/// <summary>The local agent of <c>hangar server</c> describing its VMs as libvirt domains for the control plane beside it.</summary>
internal sealed class AgentDomainSource(AgentHost agent) : IVmDomainSource
{
    public string AgentName => agent.Options.Name;

    public Task<string?> DomainXmlAsync(string vm, CancellationToken ct) => agent.Reconciler.DomainXmlAsync(vm, ct);
}
