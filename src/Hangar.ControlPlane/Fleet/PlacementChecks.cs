using System.Net;
using System.Net.Sockets;
using Hangar.Spec;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// What would stop a fleet from running on its hosts, found at plan time. Today: host ports of new forwards that
/// something else already holds. The check binds on this host, which is where the embedded agent runs VMs.
/// </summary>
public static class PlacementChecks
{
    public static IReadOnlyList<string> Find(FleetSpec? current, FleetSpec next)
    {
        var problems = new List<string>();
        var ours = new HashSet<(int, PortProtocol)>(current?.Vms.SelectMany(v => v.Forwards).Select(f => (f.HostPort, f.Protocol)) ?? []);
        foreach (var vm in next.Vms)
        {
            for (var i = 0; i < vm.Forwards.Count; i++)
            {
                var forward = vm.Forwards[i];
                if (ours.Contains((forward.HostPort, forward.Protocol))) continue; // held by our own VM today
                if (!IsFree(forward))
                    problems.Add($"vms.{vm.Name}.forwards[{i}]: host port {forward.HostPort}/{(forward.Protocol == PortProtocol.Tcp ? "tcp" : "udp")} is already in use on this host");
            }
        }
        return problems;
    }

    private static bool IsFree(PortForward forward)
    {
        try
        {
            if (forward.Protocol == PortProtocol.Tcp)
            {
                using var listener = new TcpListener(IPAddress.Loopback, forward.HostPort);
                listener.Start();
                listener.Stop();
            }
            else
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, forward.HostPort));
            }
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
