namespace Hangar.Spec.Parsing;

/// <summary>
/// The checks that span fields, VMs or images. They run on what was read, after the whole file was walked, in file
/// order, so that a conflict is reported at its second occurrence.
/// </summary>
internal static class FleetChecks
{
    public static void Run(IReadOnlyList<VmDraft> vms, IReadOnlyCollection<string> declaredImages, ErrorCollector errors)
    {
        var hostPorts = new Dictionary<(int Port, PortProtocol Protocol), (VmDraft Vm, string Path)>();
        foreach (var vm in vms)
        {
            CheckImage(vm, declaredImages, errors);
            foreach (var forward in vm.Forwards)
            {
                var key = (forward.Value.HostPort, forward.Value.Protocol);
                if (hostPorts.TryGetValue(key, out var first))
                {
                    var owner = first.Vm == vm ? "this VM" : $"VM '{first.Vm.Name}'";
                    errors.Add(forward.Node, forward.Path,
                        $"Host port {key.HostPort}/{Protocol(key.Protocol)} is already forwarded by {owner} " +
                        $"({first.Path}); use another host port");
                }
                else hostPorts.Add(key, (vm, forward.Path));
            }
            if (vm.HealthGuestPort is { } tcp
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
            var valid = new[] { BuiltinImages.Tiny }.Concat(declaredImages.Order(StringComparer.Ordinal)).ToList();
            var closest = EditDistance.Closest(image.Value, valid);
            var hint = closest is not null
                ? $"did you mean '{closest}'?"
                : $"declare it under 'images' or use one of {string.Join(", ", valid)}";
            errors.Add(image.Node, image.Path, $"Unknown image '{image.Value}'; {hint}");
            return;
        }
        if (vm.KernelArgs is { } kernelArgs && !vm.UsesTiny)
        {
            errors.Add(kernelArgs.Node, kernelArgs.Path,
                $"'kernelArgs' only applies to images that boot a kernel directly ('{BuiltinImages.Tiny}'); " +
                $"image '{image.Value}' is a disk image, so remove it");
        }
    }

    private static string Protocol(PortProtocol protocol) => SpecKeywords.TextOf(SpecKeywords.Protocol, protocol);
}
