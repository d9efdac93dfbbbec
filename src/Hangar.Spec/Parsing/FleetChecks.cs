namespace Hangar.Spec.Parsing;

/// <summary>
/// The checks that span fields, VMs or images. They run on what was read, after the whole file was walked, in file
/// order, so that a conflict is reported at its second occurrence.
/// </summary>
internal static class FleetChecks
{
    /// <param name="images">The images the file declares that were read without errors, by name.</param>
    /// <param name="current">The generation the file would replace, for checks of a change (a disk that would
    /// shrink); null when nothing was applied yet or the file is only validated.</param>
    public static void Run(IReadOnlyList<VmDraft> vms, IReadOnlyCollection<string> declaredImages,
        IReadOnlyDictionary<string, ImageSpec> images, FleetSpec? current, ErrorCollector errors)
    {
        // Two VMs may forward the same host port when they can run on different agents (the scheduler keeps them
        // apart); within one VM, or between VMs pinned to the same host, the file itself is wrong.
        var hostPorts = new Dictionary<(int Port, PortProtocol Protocol, string? Host), (VmDraft Vm, string Path)>();
        foreach (var vm in vms)
        {
            CheckImage(vm, declaredImages, errors);
            CheckMemoryFloor(vm, images, errors);
            CheckInterfaces(vm, errors);
            CheckShares(vm, errors);
            if (current is not null) CheckDiskShrink(vm, images, current, errors);
            var vmKey = vm.Host?.Value ?? "\0" + vm.Name;
            foreach (var forward in vm.Forwards)
            {
                var key = (forward.Value.HostPort, forward.Value.Protocol, vmKey);
                if (hostPorts.TryGetValue(key, out var first))
                {
                    var owner = first.Vm == vm ? $"this VM ({first.Path})" : $"VM '{first.Vm.Name}' ({first.Path}), pinned to the same host {vm.Host!.Value.Value}";
                    errors.Add(forward.Node, forward.Path,
                        $"Host port {key.HostPort}/{Protocol(key.Protocol)} is already forwarded by {owner}; use another host port");
                }
                else hostPorts.Add(key, (vm, forward.Path));
            }
            if (vm.HealthGuestPort is { } tcp && !(tcp.Value == SpecDefaults.SshGuestPort && vm.SshPort is not null)
                && !vm.Forwards.Any(f => f.Value.Protocol == PortProtocol.Tcp && f.Value.GuestPort == tcp.Value))
            {
                // Suggest an unprivileged host port: 80 -> 8080, 8443 -> 8443.
                var host = tcp.Value < 1024 ? tcp.Value + 8000 : tcp.Value;
                errors.Add(tcp.Node, tcp.Path,
                    $"No tcp forward to guest port {tcp.Value} in this VM; add one to 'forwards', like \"{host}:{tcp.Value}\"");
            }
        }
    }

    private static void CheckImage(VmDraft vm, IReadOnlyCollection<string> declaredImages, ErrorCollector errors)
    {
        if (vm.Image is not { } image) return;
        if (!BuiltinImages.IsBuiltin(image.Value) && !declaredImages.Contains(image.Value))
        {
            var valid = BuiltinImages.Names.Concat(declaredImages.Order(StringComparer.Ordinal)).ToList();
            var closest = EditDistance.Closest(image.Value, valid);
            var hint = closest is not null
                ? $"did you mean '{closest}'?"
                : $"declare it under 'images' or use one of {string.Join(", ", valid)}";
            errors.Add(image.Node, image.Path, $"Unknown image '{image.Value}'; {hint}");
            return;
        }
        if (vm.KernelArgs is { } kernelArgs && !BuiltinImages.BootsKernel(image.Value))
        {
            errors.Add(kernelArgs.Node, kernelArgs.Path,
                $"'kernelArgs' only applies to images that boot a kernel directly ('{BuiltinImages.Tiny}', '{BuiltinImages.Debian12}'); " +
                $"image '{image.Value}' is a disk image, so remove it");
        }
        if (vm.GuestField is { } guest && vm.UsesTiny)
        {
            errors.Add(guest.Node, guest.Path,
                $"The '{BuiltinImages.Tiny}' image has no cloud-init to read 'guest'; use image '{BuiltinImages.Debian12}' " +
                "(or a disk image with cloud-init), or remove 'guest'");
        }
    }

    /// <summary>Forwards need the user-mode network; an address needs a guest Hangar configures (tiny, or cloud-init).</summary>
    private static void CheckInterfaces(VmDraft vm, ErrorCollector errors)
    {
        if (vm.Interfaces is not { } interfaces) return;
        if (!vm.HasUserNetwork && vm.Forwards.Count > 0)
            errors.Add(vm.Forwards[0].Node, vm.Forwards[0].Path,
                "Forwards go through the user-mode network, and this VM's 'interfaces' has none; add {type: user} to them, or remove 'forwards'");
        var configured = vm.UsesTiny || vm.Image?.Value == BuiltinImages.Debian12 || vm.GuestField is not null;
        foreach (var nic in interfaces.Where(i => i.Address is not null && !configured))
            errors.Add(nic.Node, SpecPath.Field(nic.Path, FleetFields.Address),
                $"Image '{vm.Image?.Value}' is a disk image without a 'guest' mapping, so nothing tells the guest its address; add 'guest' (its cloud-init seed carries the address) or configure the guest yourself and remove 'address'");
    }

    /// <summary>A mount point is carried out by the tiny image's init or the VM's cloud-init seed; a bare disk image has neither.</summary>
    private static void CheckShares(VmDraft vm, ErrorCollector errors)
    {
        var configured = vm.UsesTiny || vm.Image?.Value == BuiltinImages.Debian12 || vm.GuestField is not null;
        if (configured) return;
        foreach (var at in vm.ShareMountPoints)
            errors.Add(at.Node, at.Path,
                $"Image '{vm.Image?.Value}' is a disk image without a 'guest' mapping, so nothing mounts share '{at.Value}' in the guest; add 'guest' (its cloud-init seed mounts it) or mount it yourself (mount -t virtiofs {at.Value} DIR) and remove 'mountPoint'");
    }

    /// <summary>The image's floor (tiny's, or a file image's <c>minMemory</c>): less memory and the guest hangs silently.</summary>
    private static void CheckMemoryFloor(VmDraft vm, IReadOnlyDictionary<string, ImageSpec> images, ErrorCollector errors)
    {
        if (vm.Image is not { } image) return;
        if (BuiltinImages.MinMemoryOf(image.Value, images.GetValueOrDefault(image.Value)) is not { } floor || vm.Memory >= floor) return;
        var (node, path, given) = vm.MemoryField is { } field
            ? (field.Node, field.Path, $"{field.Value}")
            : (vm.Mapping!.Value.Node, SpecPath.Field(vm.Mapping.Value.Path, FleetFields.Memory), $"the default {vm.Memory}");
        var source = BuiltinImages.IsBuiltin(image.Value) ? "" : $" (its 'minMemory')";
        errors.Add(node, path,
            $"Memory {given} is below what image '{image.Value}' boots with{source}: at least {floor}; " +
            $"the guest would hang without a word. Give 'memory: {floor}' or more");
    }

    /// <summary>
    /// A disk that would get smaller on the same image: the data past the new end would be lost, so Hangar never
    /// shrinks a disk. A new image gives a new disk, so any size is fine then.
    /// </summary>
    private static void CheckDiskShrink(VmDraft vm, IReadOnlyDictionary<string, ImageSpec> images, FleetSpec current, ErrorCollector errors)
    {
        if (vm.DiskField is not { } disk || vm.Image is not { } image || current.FindVm(vm.Name) is not { Disk: { } before } old) return;
        if (disk.Value >= before || old.Image != image.Value) return;
        if (!BuiltinImages.IsBuiltin(image.Value)
            && current.FindImage(old.Image)?.Sha256 != images.GetValueOrDefault(image.Value)?.Sha256) return;
        errors.Add(disk.Node, disk.Path,
            $"VM '{vm.Name}' has a {before} disk in the current generation; {disk.Value} would shrink it and lose the data " +
            $"past {disk.Value}, so Hangar never shrinks a disk. Keep 'disk: {before}' or more (or give the VM a new image, " +
            "which starts it on a new disk)");
    }

    private static string Protocol(PortProtocol protocol) => SpecKeywords.TextOf(SpecKeywords.Protocol, protocol);
}
