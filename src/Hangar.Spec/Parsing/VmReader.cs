namespace Hangar.Spec.Parsing;

/// <summary>Reads one entry of the <c>vms</c> mapping, field by field; checks that span VMs or images come later.</summary>
internal sealed class VmReader(NodeReader reader)
{
    private ErrorCollector Errors => reader.Errors;

    /// <summary>The VM's draft, or null when the value is not even a mapping.</summary>
    public VmDraft? Read(string name, YamlNode value, string path)
    {
        var mapping = reader.Mapping(value, path, "a VM (a mapping with at least 'image')");
        if (mapping is null) return null;
        var fields = new FieldMapping(mapping, path, FleetFields.VmFields, Errors);
        var vm = new VmDraft(name) { Mapping = new(name, mapping, path) };

        if (fields.TryGetRequired(FleetFields.Image, $"'{BuiltinImages.Tiny}' or the name of an image under 'images'",
                Errors, out var node, out var fieldPath)
            && reader.String(node, fieldPath, "an image name") is { } image)
            vm.Image = new(image, node, fieldPath);
        if (fields.TryGet(FleetFields.Vcpu, out node, out fieldPath)
            && reader.Int(node, fieldPath, SpecLimits.MinVcpu, SpecLimits.MaxVcpu) is { } vcpu)
            vm.Vcpu = vcpu;
        if (fields.TryGet(FleetFields.Memory, out node, out fieldPath)
            && reader.Size(node, fieldPath, SpecLimits.MinMemory) is { } memory)
        {
            vm.Memory = memory;
            vm.MemoryField = new(memory, node, fieldPath);
        }
        if (fields.TryGet(FleetFields.Disk, out node, out fieldPath))
        {
            vm.Disk = reader.Size(node, fieldPath, SpecLimits.MinDisk);
            if (vm.Disk is { } disk) vm.DiskField = new(disk, node, fieldPath);
        }
        if (fields.TryGet(FleetFields.KernelArgs, out node, out fieldPath)
            && reader.String(node, fieldPath, "kernel command-line arguments") is { } kernelArgs)
            vm.KernelArgs = new(kernelArgs, node, fieldPath);
        if (fields.TryGet(FleetFields.Forwards, out node, out fieldPath))
            ReadForwards(vm, node, fieldPath);
        if (fields.TryGet(FleetFields.Autostart, out node, out fieldPath)
            && reader.Bool(node, fieldPath) is { } autostart)
            vm.Autostart = autostart;
        if (fields.TryGet(FleetFields.Restart, out node, out fieldPath)
            && reader.Keyword(node, fieldPath, SpecKeywords.Restart) is { } restart)
            vm.Restart = restart;
        if (fields.TryGet(FleetFields.Health, out node, out fieldPath))
            ReadHealth(vm, node, fieldPath);
        return vm;
    }

    private void ReadForwards(VmDraft vm, YamlNode node, string path)
    {
        if (reader.Sequence(node, path, "a list of port forwards such as \"8080:80\"") is not { } list) return;
        for (var i = 0; i < list.Items.Count; i++)
        {
            var item = list.Items[i];
            var itemPath = SpecPath.Item(path, i);
            if (reader.String(item, itemPath, "a port forward such as \"8080:80\"") is not { } text) continue;
            if (ForwardSyntax.TryParse(text, out var forward, out var error))
                vm.Forwards.Add(new(forward!, item, itemPath));
            else
                Errors.Add(item, itemPath, error!);
        }
    }

    private void ReadHealth(VmDraft vm, YamlNode node, string path)
    {
        if (reader.Mapping(node, path, "a health check (a mapping with serial or tcp, and timeout)") is not { } mapping)
            return;
        var fields = new FieldMapping(mapping, path, FleetFields.HealthFields, Errors);
        vm.HasHealth = true;
        var hasSerial = fields.TryGet(FleetFields.Serial, out var serialNode, out var serialPath);
        var hasTcp = fields.TryGet(FleetFields.Tcp, out var tcpNode, out var tcpPath);
        if (hasSerial == hasTcp)
        {
            Errors.Add(mapping, path, hasSerial
                ? "Give only one of 'serial' and 'tcp'"
                : "Give one of 'serial' (text to wait for on the serial console) and 'tcp' (a guest port)");
        }
        if (hasSerial)
            vm.HealthSerial = reader.String(serialNode, serialPath, "the text to wait for on the serial console");
        if (hasTcp && reader.Int(tcpNode, tcpPath, SpecLimits.MinPort, SpecLimits.MaxPort) is { } port)
            vm.HealthTcp = new(port, tcpNode, tcpPath);
        if (fields.TryGet(FleetFields.Timeout, out var timeoutNode, out var timeoutPath)
            && reader.Duration(timeoutNode, timeoutPath) is { } timeout)
            vm.HealthTimeout = timeout;
    }
}
