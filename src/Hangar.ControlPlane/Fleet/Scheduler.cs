using System.Security.Cryptography;
using System.Text;
using Hangar.Spec;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// Decides which agent runs each VM. Rendezvous hashing over the known agents: every VM lands on the same agent for
/// as long as the set of agents is the same, and when an agent joins only about 1/n of the VMs move. With one agent
/// (the embedded default) every VM runs there.
/// </summary>
public static class Scheduler
{
    public static IReadOnlyDictionary<string, string> Place(FleetSpec spec, IReadOnlyCollection<string> agents)
    {
        var placement = new Dictionary<string, string>(StringComparer.Ordinal);
        if (agents.Count == 0) return placement;
        if (agents.Count == 1)
        {
            // One agent (the embedded default) gets every VM; the highest score of one candidate needs no hash.
            var only = agents.First();
            foreach (var vm in spec.Vms) placement[vm.Name] = only;
            return placement;
        }
        foreach (var vm in spec.Vms)
            placement[vm.Name] = agents.MaxBy(agent => Score(agent, vm.Name))!;
        return placement;
    }

    private static ulong Score(string agent, string vm) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(agent + "\0" + vm)), 0);
}
