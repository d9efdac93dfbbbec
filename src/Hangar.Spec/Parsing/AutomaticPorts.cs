namespace Hangar.Spec.Parsing;

/// <summary>
/// Gives VMs their automatic host ports: an SSH port from <c>settings.sshPorts</c> (default 2223-2322) to every VM with
/// a cloud-init guest and no forward of guest port 22 of its own, and a VNC port from <c>settings.vncPorts</c> (default
/// 5900-5999) to every VM with <c>display: vnc</c>. Each VM keeps the port it had in the current generation when that
/// is still free, else gets the lowest port of its range that no forward of the file and no other automatic port uses.
/// So a VM keeps its ports across restarts and generations, and no two share one (one machine reaches every guest).
/// </summary>
internal static class AutomaticPorts
{
    public static void Assign(IReadOnlyList<VmDraft> vms, FleetSettings settings, FleetSpec? current, ErrorCollector errors)
    {
        var taken = new HashSet<int>(vms.SelectMany(v => v.Forwards).Where(f => f.Value.Protocol == PortProtocol.Tcp).Select(f => f.Value.HostPort));
        Assign(vms.Where(v => v.WantsSshPort), settings.EffectiveSshPorts, taken, current, errors,
            vm => vm.SshPort, (vm, port) => vm.SshPort = port, spec => spec.SshPort,
            (vm, range) => $"No SSH port is left for VM '{vm}' in settings.sshPorts {range} ({range.Last - range.First + 1} ports); " +
                "widen the range, or forward guest port 22 yourself (forwards: [\"HOST:22\"])");
        Assign(vms.Where(v => v.WantsVnc), settings.EffectiveVncPorts, taken, current, errors,
            vm => vm.VncPort, (vm, port) => vm.VncPort = port, spec => spec.VncPort,
            (vm, range) => $"No VNC port is left for VM '{vm}' in settings.vncPorts {range} ({range.Last - range.First + 1} ports); widen the range");
    }

    private static void Assign(IEnumerable<VmDraft> wanted, PortRange range, HashSet<int> taken, FleetSpec? current, ErrorCollector errors,
        Func<VmDraft, int?> get, Action<VmDraft, int> set, Func<VmSpec, int?> had, Func<string, PortRange, string> noneLeft)
    {
        var wanting = wanted.OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        foreach (var vm in wanting)
        {
            if (current?.FindVm(vm.Name) is { } spec && had(spec) is { } kept && range.Contains(kept) && taken.Add(kept)) set(vm, kept);
        }
        var next = range.First;
        foreach (var vm in wanting.Where(v => get(v) is null))
        {
            while (next <= range.Last && taken.Contains(next)) next++;
            if (next > range.Last)
            {
                errors.Add(vm.Mapping!.Value.Node, vm.Mapping.Value.Path, noneLeft(vm.Name, range));
                continue;
            }
            set(vm, next);
            taken.Add(next);
        }
    }
}
