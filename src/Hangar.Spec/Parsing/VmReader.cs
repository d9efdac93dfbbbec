namespace Hangar.Spec.Parsing;

/// <summary>Reads one entry of the <c>vms</c> mapping, field by field; checks that span VMs or images come later.</summary>
internal sealed class VmReader(NodeReader reader, SecretSource? secrets = null)
{
    private ErrorCollector Errors => reader.Errors;

    /// <summary>The VM's draft, or null when the value is not even a mapping.</summary>
    public VmDraft? Read(string name, YamlNode value, string path)
    {
        var mapping = reader.Mapping(value, path, "a VM (a mapping with at least 'image')");
        if (mapping is null) return null;
        var fields = new FieldMapping(mapping, path, FleetFields.VmFields, Errors);
        var vm = new VmDraft(name) { Mapping = new(name, mapping, path) };

        if (fields.TryGetRequired(FleetFields.Image, $"'{BuiltinImages.Tiny}', '{BuiltinImages.Debian12}' or the name of an image under 'images'",
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
        if (fields.TryGet(FleetFields.Placement, out node, out fieldPath))
            ReadPlacement(vm, node, fieldPath);
        if (fields.TryGet(FleetFields.Guest, out node, out fieldPath))
        {
            vm.Guest = new GuestReader(reader).Read(name, node, fieldPath);
            vm.GuestField = new(FleetFields.Guest, node, fieldPath);
        }
        if (fields.TryGet(FleetFields.Credentials, out node, out fieldPath))
            vm.Credentials = new CredentialReader(reader, secrets).Read(node, fieldPath);
        if (fields.TryGet(FleetFields.Identity, out node, out fieldPath) && reader.Bool(node, fieldPath) is { } identity)
            vm.IdentityField = new(identity, node, fieldPath);
        if (fields.TryGet(FleetFields.Display, out node, out fieldPath))
        {
            switch (reader.String(node, fieldPath, "'vnc' or 'none'"))
            {
                case "vnc": vm.WantsVnc = true; break;
                case "none" or null: break;
                case var other: Errors.Add(node, fieldPath, $"'{other}' is not a display; use 'vnc' (a VNC server on 127.0.0.1, at a port from settings.vncPorts) or 'none' (the default)"); break;
            }
        }
        if (fields.TryGet(FleetFields.Volumes, out node, out fieldPath)) vm.Volumes = ReadVolumes(node, fieldPath);
        if (fields.TryGet(FleetFields.Interfaces, out node, out fieldPath)) vm.Interfaces = new InterfaceReader(reader).Read(node, fieldPath);
        if (fields.TryGet(FleetFields.Vsock, out node, out fieldPath) && new InterfaceReader(reader).ReadVsock(node, fieldPath) is { } vsock)
        {
            vm.WantsVsock = vsock.Wanted;
            if (vsock.Cid is { } cid) vm.ExplicitCid = new(cid, node, fieldPath);
        }
        if (fields.TryGet(FleetFields.Shares, out node, out fieldPath))
        {
            var shares = new ShareReader(reader);
            vm.Shares = shares.Read(node, fieldPath);
            vm.ShareMountPoints = shares.MountPointFields;
        }
        if (fields.TryGet(FleetFields.Balloon, out node, out fieldPath) && reader.Bool(node, fieldPath) is { } balloon)
            vm.Balloon = balloon;
        if (vm.WantsIdentity) ReadIdentity(vm, fields.TryGet(FleetFields.Credentials, out node, out fieldPath) ? (node, fieldPath) : null);
        return vm;
    }

    /// <summary><c>volumes: {data: {size: 10GiB, format: qcow2}}</c>: sorted by name; null when any entry has an error.</summary>
    private ValueList<VolumeSpec>? ReadVolumes(YamlNode node, string path)
    {
        if (reader.Mapping(node, path, "a mapping of volume names to {size: SIZE, format: qcow2|raw}") is not { } mapping) return null;
        var before = Errors.Count;
        var volumes = new List<VolumeSpec>();
        foreach (var (name, keyNode, value) in KeyedEntries.Read(mapping, path, Errors))
        {
            var entryPath = SpecPath.Field(path, name);
            if (!SpecPatterns.VolumeNameRegex.IsMatch(name))
                Errors.Add(keyNode, entryPath, $"'{name}' is not a volume name; use 1–20 lowercase letters, digits and '-', starting with a letter (the guest sees it as the disk's serial, which holds 20)");
            if (reader.Mapping(value, entryPath, "a volume: {size: SIZE, format: qcow2|raw}") is not { } entry) continue;
            var fields = new FieldMapping(entry, entryPath, FleetFields.VolumeFields, Errors);
            ByteSize? size = null;
            if (fields.TryGetRequired(FleetFields.Size, "a size such as 10GiB", Errors, out var sizeNode, out var sizePath))
                size = reader.Size(sizeNode, sizePath, SpecLimits.MinDisk);
            var format = DiskFormat.Qcow2;
            if (fields.TryGet(FleetFields.Format, out var formatNode, out var formatPath)
                && reader.Keyword(formatNode, formatPath, SpecKeywords.Format) is { } parsed)
                format = parsed;
            if (size is { } bytes) volumes.Add(new VolumeSpec(name, bytes, format));
        }
        if (volumes.Count > SpecLimits.MaxVolumes)
            Errors.Add(mapping, path, $"{volumes.Count} volumes; a VM may have at most {SpecLimits.MaxVolumes}");
        return Errors.Count == before ? new ValueList<VolumeSpec>(volumes.OrderBy(v => v.Name, StringComparer.Ordinal)) : null;
    }

    /// <summary>Finds the host key of a VM that has one; it counts as one of its fw_cfg credentials.</summary>
    private void ReadIdentity(VmDraft vm, (YamlNode Node, string Path)? credentials)
    {
        var at = vm.IdentityField is { } field ? (field.Node, field.Path) : (vm.Mapping!.Value.Node, vm.Mapping.Value.Path);
        if (vm.Credentials?.Count(c => c.UsesFwCfg) >= SpecLimits.MaxFwCfgCredentials && credentials is { } c)
            Errors.Add(c.Node, c.Path, $"{SpecLimits.MaxFwCfgCredentials} secret and file credentials and the VM's host key (identity); a VM may have at most " +
                $"{SpecLimits.MaxFwCfgCredentials} of them together (QEMU has few fw_cfg slots); deliver small non-secret ones as values, or set identity: false");
        var found = secrets?.FindIdentity(vm.Name) ?? IdentityLookup.None;
        if (found.Error is { } error) Errors.Add(at.Item1, at.Item2, $"The host key of VM '{vm.Name}': {error}");
        else vm.Identity = found.Identity ?? new VmIdentity(null);
    }

    /// <summary><c>placement: {host: h1, labels: {gpu: "true"}, movable: true}</c>; every field is optional.</summary>
    private void ReadPlacement(VmDraft vm, YamlNode node, string path)
    {
        if (reader.Mapping(node, path, "a placement (a mapping with host, labels and movable)") is not { } mapping) return;
        var fields = new FieldMapping(mapping, path, FleetFields.PlacementFields, Errors);
        if (fields.TryGet(FleetFields.Host, out var hostNode, out var hostPath)
            && reader.String(hostNode, hostPath, "an agent's name") is { } host)
        {
            if (SpecPatterns.AgentNameRegex.IsMatch(host)) vm.Host = new(host, hostNode, hostPath);
            else Errors.Add(hostNode, hostPath, $"'{host}' is not an agent name; use 1–63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (see hangar agent list)");
        }
        if (fields.TryGet(FleetFields.Labels, out var labelsNode, out var labelsPath)
            && reader.Mapping(labelsNode, labelsPath, "a mapping of agent labels to the values they must have, such as {gpu: \"true\"}") is { } labels)
        {
            foreach (var (key, keyNode, value) in KeyedEntries.Read(labels, labelsPath, Errors))
            {
                var keyPath = SpecPath.Field(labelsPath, key);
                if (!SpecPatterns.LabelKeyRegex.IsMatch(key))
                {
                    Errors.Add(keyNode, keyPath, $"'{key}' is not a label key; use 1–64 letters, digits, '.', '_', '-' or '/', starting and ending with a letter or digit");
                    continue;
                }
                // A YAML scalar such as true or 8 is the label's text: agent labels are text (gpu=true).
                if (value is not ScalarNode { IsNull: false } scalar)
                {
                    Errors.Add(value, keyPath, $"Expected the label's value (text such as \"true\"), found {value.Describe()}");
                    continue;
                }
                if (!SpecPatterns.LabelValueRegex.IsMatch(scalar.Value))
                    Errors.Add(value, keyPath, $"'{scalar.Value}' is not a label value; use up to 63 letters, digits, '.', '_' or '-'");
                else vm.Labels.Add(new PlacementLabel(key, scalar.Value));
            }
        }
        if (fields.TryGet(FleetFields.Movable, out var movableNode, out var movablePath)
            && reader.Bool(movableNode, movablePath) is { } movable)
            vm.Movable = movable;
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
        if (reader.Mapping(node, path, "a health check (a mapping with one of serial, tcp, http or exec)") is not { } mapping)
            return;
        var fields = new FieldMapping(mapping, path, FleetFields.HealthFields, Errors);
        vm.HasHealth = true;
        var hasSerial = fields.TryGet(FleetFields.Serial, out var serialNode, out var serialPath);
        var hasTcp = fields.TryGet(FleetFields.Tcp, out var tcpNode, out var tcpPath);
        var hasHttp = fields.TryGet(FleetFields.Http, out var httpNode, out var httpPath);
        var hasExec = fields.TryGet(FleetFields.Exec, out var execNode, out var execPath);
        var kinds = (hasSerial ? 1 : 0) + (hasTcp ? 1 : 0) + (hasHttp ? 1 : 0) + (hasExec ? 1 : 0);
        if (kinds != 1)
        {
            Errors.Add(mapping, path, kinds == 0
                ? "Give one of 'serial' (text to wait for on the serial console), 'tcp' (a guest port), 'http' (a guest port, or port, path and status) and 'exec' (a command the guest agent runs, such as [systemctl, is-active, nginx])"
                : "Give only one of 'serial', 'tcp', 'http' and 'exec'");
        }
        if (hasExec) vm.HealthExec = ReadExec(execNode, execPath);
        if (hasSerial)
            vm.HealthSerial = reader.String(serialNode, serialPath, "the text to wait for on the serial console");
        if (hasTcp && reader.Int(tcpNode, tcpPath, SpecLimits.MinPort, SpecLimits.MaxPort) is { } port)
            vm.HealthTcp = new(port, tcpNode, tcpPath);
        if (hasHttp && ReadHttp(httpNode, httpPath) is { } http)
            vm.HealthHttp = new(http, httpNode, httpPath);
        if (fields.TryGet(FleetFields.Timeout, out var timeoutNode, out var timeoutPath)
            && reader.Duration(timeoutNode, timeoutPath) is { } timeout)
        {
            if (timeout > SpecLimits.MaxHealthTimeout)
                Errors.Add(timeoutNode, timeoutPath, $"A health timeout of at most {DurationSyntax.Format(SpecLimits.MaxHealthTimeout)} is allowed");
            else vm.HealthTimeout = timeout;
        }
        if (fields.TryGet(FleetFields.Interval, out var intervalNode, out var intervalPath))
        {
            if (hasSerial) Errors.Add(intervalNode, intervalPath, "A serial check watches the console continuously and has no interval; use 'interval' with tcp, http or exec");
            else if (reader.Duration(intervalNode, intervalPath) is { } interval)
            {
                if (interval < SpecLimits.MinHealthInterval)
                    Errors.Add(intervalNode, intervalPath, $"An interval of at least {DurationSyntax.Format(SpecLimits.MinHealthInterval)} is needed");
                else if (interval > SpecLimits.MaxHealthInterval)
                    Errors.Add(intervalNode, intervalPath, $"An interval of at most {DurationSyntax.Format(SpecLimits.MaxHealthInterval)} is allowed");
                else vm.HealthInterval = interval;
            }
        }
        if (fields.TryGet(FleetFields.Failures, out var failuresNode, out var failuresPath))
        {
            if (hasSerial) Errors.Add(failuresNode, failuresPath, "A serial check stays healthy once its text appeared; use 'failures' with tcp, http or exec");
            else if (reader.Int(failuresNode, failuresPath, SpecLimits.MinHealthFailures, SpecLimits.MaxHealthFailures) is { } failures)
                vm.HealthFailures = failures;
        }
        if (fields.TryGet(FleetFields.HealthRestart, out var restartNode, out var restartPath)
            && reader.Bool(restartNode, restartPath) is { } restart)
            vm.HealthRestart = restart;
    }

    /// <summary><c>exec: [program, arg…]</c>: a non-empty list of strings (the reader refuses an empty one), the program first.</summary>
    private ValueList<string>? ReadExec(YamlNode node, string path)
    {
        if (reader.Sequence(node, path, "a command as a list, the program first, such as [systemctl, is-active, nginx]") is not { } list) return null;
        if (list.Items.Count == 0)
        {
            Errors.Add(node, path, "The command is empty; give the program to run and its arguments, such as [systemctl, is-active, nginx]");
            return null;
        }
        var command = new List<string>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            var itemPath = SpecPath.Item(path, i);
            if (reader.String(list.Items[i], itemPath, i == 0 ? "the program to run" : "an argument") is not { } text) return null;
            command.Add(text);
        }
        return new ValueList<string>(command);
    }

    /// <summary><c>http: 80</c>, or <c>http: {port: 80, path: /healthz, status: "200-399"}</c>.</summary>
    private HttpHealthCheck? ReadHttp(YamlNode node, string path)
    {
        if (node is ScalarNode)
        {
            return reader.Int(node, path, SpecLimits.MinPort, SpecLimits.MaxPort) is { } bare
                ? new HttpHealthCheck(bare, SpecDefaults.HttpPath, SpecDefaults.HttpStatus)
                : null;
        }
        if (reader.Mapping(node, path, "a guest port, or a mapping with port, path and status") is not { } mapping) return null;
        var fields = new FieldMapping(mapping, path, FleetFields.HttpFields, Errors);
        int? port = null;
        if (fields.TryGetRequired(FleetFields.Port, "the guest port to send the request to", Errors, out var portNode, out var portPath))
            port = reader.Int(portNode, portPath, SpecLimits.MinPort, SpecLimits.MaxPort);
        var requestPath = SpecDefaults.HttpPath;
        var valid = true;
        if (fields.TryGet(FleetFields.HttpPath, out var pathNode, out var pathPath))
        {
            if (reader.String(pathNode, pathPath, "a request path such as /healthz") is not { } text) valid = false;
            else if (!HttpCheckSyntax.IsValidPath(text, out var error))
            {
                Errors.Add(pathNode, pathPath, error!);
                valid = false;
            }
            else requestPath = text;
        }
        var status = SpecDefaults.HttpStatus;
        if (fields.TryGet(FleetFields.Status, out var statusNode, out var statusPath))
        {
            if (reader.String(statusNode, statusPath, "status codes such as \"200-399\" or \"200,204\"") is not { } text) valid = false;
            else if (!HttpCheckSyntax.TryParseStatus(text, out status, out var error))
            {
                Errors.Add(statusNode, statusPath, error!);
                valid = false;
            }
        }
        return port is { } p && valid ? new HttpHealthCheck(p, requestPath, status) : null;
    }
}
