using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Microsoft.AspNetCore.Http;

namespace Hangar.ControlPlane.Api;

/// <summary>
/// <c>GET /api/v1/vms/NAME/xml</c>: the VM as a libvirt domain, written by the agent that runs it from the QEMU
/// configuration it gives the VM (<see cref="IVmDomainSource"/>). Served for VMs of the agent in this process; the agent
/// protocol carries no QEMU configuration yet, so a VM on another agent is a 409 that says so.
/// </summary>
internal static class DomainEndpoints
{
    public static async Task<IResult> XmlAsync(string name, FleetService fleet, LocalAgentDomains local, CancellationToken ct)
    {
        var vm = fleet.VmStatus(name);
        if (vm is null || vm.Removed) throw new VmNotFoundException(name);
        if (vm.Agent is not { } agent)
            throw new AgentRequestException(AgentRequestError.Conflict, $"VM {name} is not placed on an agent yet, so it has no QEMU configuration to describe.");
        if (local.Source is not { } source || source.AgentName != agent)
        {
            throw new AgentRequestException(AgentRequestError.Conflict,
                $"VM {name} is on agent {agent}, not on this server's own agent: only the agent that runs a VM knows its QEMU configuration, " +
                "and agents do not send it to the control plane yet. Run `hangar vm xml` against a server whose own agent runs it.");
        }
        string? xml;
        try
        {
            xml = await source.DomainXmlAsync(name, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new AgentRequestException(AgentRequestError.Conflict, $"Agent {agent} cannot describe VM {name}: {e.Message}");
        }
        if (xml is null)
            throw new AgentRequestException(AgentRequestError.Conflict, $"Agent {agent} has not been sent VM {name} yet; try again in a moment.");
        return Results.Text(xml, "application/xml; charset=utf-8");
    }
}
