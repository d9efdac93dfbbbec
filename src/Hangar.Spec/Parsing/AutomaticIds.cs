using System.Security.Cryptography;
using System.Text;

namespace Hangar.Spec.Parsing;

/// <summary>
/// Gives every interface of an <c>interfaces</c> list its MAC and every VM with <c>vsock</c> its context id, and
/// refuses duplicates. A given MAC or CID is the VM's; an automatic one is kept from the current generation (same VM,
/// same position and kind of interface) while no other interface claims it, else derived: a MAC from a hash of the VM's
/// name and the interface's position under QEMU's <c>52:54:00</c> prefix (the next hash on a clash), a CID as the lowest
/// free one from 3. Unique in the whole fleet, so unique on every host and every bridge.
/// </summary>
internal static class AutomaticIds
{
    private const string MacPrefix = "52:54:00";

    public static void Assign(IReadOnlyList<VmDraft> vms, FleetSpec? current, ErrorCollector errors)
    {
        AssignMacs(vms, current, errors);
        AssignCids(vms, current, errors);
    }

    private static void AssignMacs(IReadOnlyList<VmDraft> vms, FleetSpec? current, ErrorCollector errors)
    {
        var taken = new Dictionary<string, (VmDraft Vm, string Path)>(StringComparer.Ordinal);
        foreach (var vm in vms)
        {
            foreach (var nic in vm.Interfaces ?? [])
            {
                if (nic.ExplicitMac is not { } mac) continue;
                if (taken.TryGetValue(mac.Value, out var first))
                    errors.Add(mac.Node, mac.Path, $"MAC {mac.Value} is already given to {(first.Vm == vm ? "this VM" : $"VM '{first.Vm.Name}'")} ({first.Path}); every interface needs its own");
                else taken.Add(mac.Value, (vm, mac.Path));
                nic.Mac = mac.Value;
            }
        }
        var automatic = vms.Where(v => v.Interfaces is not null).OrderBy(v => v.Name, StringComparer.Ordinal)
            .SelectMany(v => v.Interfaces!.Select((nic, index) => (Vm: v, Nic: nic, Index: index))).Where(e => e.Nic.ExplicitMac is null).ToList();
        foreach (var (vm, nic, index) in automatic)
        {
            if (current?.FindVm(vm.Name)?.Interfaces is { } had && index < had.Count && had[index] is var old
                && old.Type == nic.Type && old.Bridge == nic.Bridge && taken.TryAdd(old.Mac, (vm, nic.Path)))
                nic.Mac = old.Mac;
        }
        foreach (var (vm, nic, index) in automatic.Where(e => e.Nic.Mac is null))
        {
            for (var attempt = 0; nic.Mac is null; attempt++)
            {
                var candidate = DerivedMac(vm.Name, index, attempt);
                if (taken.TryAdd(candidate, (vm, nic.Path))) nic.Mac = candidate;
            }
        }
    }

    /// <summary><c>52:54:00:</c> and three bytes of sha256("VM/INDEX[/ATTEMPT]").</summary>
    internal static string DerivedMac(string vm, int index, int attempt)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(attempt == 0 ? $"{vm}/{index}" : $"{vm}/{index}/{attempt}"));
        return $"{MacPrefix}:{hash[0]:x2}:{hash[1]:x2}:{hash[2]:x2}";
    }

    private static void AssignCids(IReadOnlyList<VmDraft> vms, FleetSpec? current, ErrorCollector errors)
    {
        var taken = new Dictionary<long, VmDraft>();
        foreach (var vm in vms)
        {
            if (vm.ExplicitCid is not { } cid) continue;
            if (taken.TryGetValue(cid.Value, out var first))
                errors.Add(cid.Node, cid.Path, $"vsock context id {cid.Value} is already VM '{first.Name}''s; every VM needs its own (or write vsock: true for one Hangar picks)");
            else taken.Add(cid.Value, vm);
            vm.VsockCid = cid.Value;
        }
        var wanting = vms.Where(v => v.WantsVsock && v.ExplicitCid is null).OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        foreach (var vm in wanting)
        {
            if (current?.FindVm(vm.Name)?.VsockCid is { } kept && taken.TryAdd(kept, vm)) vm.VsockCid = kept;
        }
        var next = SpecLimits.MinVsockCid;
        foreach (var vm in wanting.Where(v => v.VsockCid is null))
        {
            while (taken.ContainsKey(next)) next++;
            vm.VsockCid = next;
            taken.Add(next, vm);
        }
    }
}
