using System.Security.Cryptography;
using System.Text;
using Hangar.Spec;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// Decides which agent runs each VM. A VM keeps the agent it was placed on for as long as that agent is known (online
/// or not: its disk is there, and a VM must never run on two hosts); a VM without one goes to an eligible agent
/// (online, not cordoned) by rendezvous hashing, so placements spread and do not depend on the order agents came in.
/// With one agent (the embedded default) every VM runs there.
/// </summary>
public static class Scheduler
{
    /// <summary>
    /// The placement of every VM of <paramref name="spec"/>: its place in <paramref name="previous"/> when that agent is
    /// in <paramref name="known"/>, else one of <paramref name="eligible"/>, else none (it waits for an agent).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Place(FleetSpec spec, IReadOnlyDictionary<string, string> previous,
        IReadOnlySet<string> known, IReadOnlyCollection<string> eligible)
    {
        var placement = new Dictionary<string, string>(StringComparer.Ordinal);
        var fresh = new List<VmSpec>();
        foreach (var vm in spec.Vms)
        {
            if (previous.TryGetValue(vm.Name, out var agent) && known.Contains(agent)) placement[vm.Name] = agent;
            else fresh.Add(vm);
        }
        if (fresh.Count == 0 || eligible.Count == 0) return placement;
        foreach (var (vm, agent) in Place(new FleetSpec(new ValueList<VmSpec>(fresh), spec.Images), eligible)) placement[vm] = agent;
        return placement;
    }

    /// <summary>Every VM of <paramref name="spec"/> on one of <paramref name="agents"/>, with no placement before.</summary>
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
