namespace Hangar.Spec.Parsing;

/// <summary>
/// Gives every VM with a cloud-init guest and no forward of guest port 22 of its own an SSH host port from
/// <c>settings.sshPorts</c> (default 2223-2322): the port it had in the current generation when that is still free,
/// else the lowest port of the range that no forward of the file and no other VM's SSH port uses. So a VM keeps its
/// port across restarts and generations, and two VMs never share one (one machine can reach every guest).
/// </summary>
internal static class SshPorts
{
    public static void Assign(IReadOnlyList<VmDraft> vms, PortRange range, FleetSpec? current, ErrorCollector errors)
    {
        var taken = new HashSet<int>(vms.SelectMany(v => v.Forwards).Where(f => f.Value.Protocol == PortProtocol.Tcp).Select(f => f.Value.HostPort));
        var wanting = vms.Where(v => v.WantsSshPort).OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        foreach (var vm in wanting)
        {
            if (current?.FindVm(vm.Name)?.SshPort is { } kept && range.Contains(kept) && taken.Add(kept)) vm.SshPort = kept;
        }
        var next = range.First;
        foreach (var vm in wanting.Where(v => v.SshPort is null))
        {
            while (next <= range.Last && taken.Contains(next)) next++;
            if (next > range.Last)
            {
                errors.Add(vm.Mapping!.Value.Node, vm.Mapping.Value.Path,
                    $"No SSH port is left for VM '{vm.Name}' in settings.sshPorts {range} ({range.Last - range.First + 1} ports); " +
                    "widen the range, or forward guest port 22 yourself (forwards: [\"HOST:22\"])");
                continue;
            }
            vm.SshPort = next;
            taken.Add(next);
        }
    }
}
