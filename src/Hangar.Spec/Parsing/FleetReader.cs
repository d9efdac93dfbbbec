namespace Hangar.Spec.Parsing;

/// <summary>Walks a fleet file's tree, collecting every error, and builds the spec when there are none.</summary>
internal sealed class FleetReader(ErrorCollector errors, string baseDirectory, FleetSpec? current = null,
    ImageFileCheck imageFiles = ImageFileCheck.MustExist, SecretSource? secrets = null)
{
    private readonly NodeReader _reader = new(errors);

    public FleetSpec? Read(YamlNode? root)
    {
        if (root is null)
        {
            errors.Add(SourcePosition.FileStart, "", "The file is empty; a fleet file needs at least 'vms:' (use 'vms: {}' for no VMs)");
            return null;
        }
        if (_reader.Mapping(root, "", "a mapping with 'vms' and optionally 'images' and 'settings'") is not { } mapping) return null;
        var fields = new FieldMapping(mapping, "", FleetFields.Root, errors);

        var settings = FleetSettings.Default;
        if (fields.TryGet(FleetFields.Settings, out var node, out var path)
            && new SettingsReader(_reader).Read(node, path) is { } read)
            settings = read;

        var images = new List<ImageSpec>();
        var declaredImages = new HashSet<string>(StringComparer.Ordinal);
        if (fields.TryGet(FleetFields.Images, out node, out path)
            && _reader.Mapping(node, path, "a mapping of image names to images") is { } imagesNode)
            ReadImages(imagesNode, path, images, declaredImages);

        var vms = new List<VmDraft>();
        if (fields.TryGetRequired(FleetFields.Vms, "a mapping of VM names to VMs (use 'vms: {}' for none)",
                errors, out node, out path)
            && _reader.Mapping(node, path, "a mapping of VM names to VMs") is { } vmsNode)
            ReadVms(vmsNode, path, vms);

        AutomaticPorts.Assign(vms, settings, current, errors);
        AutomaticIds.Assign(vms, current, errors);
        FleetChecks.Run(vms, declaredImages, images.DistinctBy(i => i.Name).ToDictionary(i => i.Name, StringComparer.Ordinal), current, errors);
        if (errors.Count > 0) return null;
        return new FleetSpec(
            new ValueList<VmSpec>(vms.Select(v => v.ToSpec()).OrderBy(v => v.Name, StringComparer.Ordinal)),
            new ValueList<ImageSpec>(images.OrderBy(i => i.Name, StringComparer.Ordinal)))
        {
            Settings = settings,
        };
    }

    private void ReadImages(MappingNode node, string path, List<ImageSpec> images, HashSet<string> declared)
    {
        var imageReader = new ImageReader(_reader, baseDirectory, imageFiles);
        foreach (var (name, keyNode, value) in KeyedEntries.Read(node, path, errors))
        {
            var imagePath = SpecPath.Field(path, name);
            if (BuiltinImages.IsBuiltin(name))
                errors.Add(keyNode, imagePath, $"'{name}' is the built-in image's name; give this image another name");
            else if (CheckName(name, keyNode, imagePath, "image"))
                declared.Add(name);
            if (imageReader.Read(name, value, imagePath) is { } image) images.Add(image);
        }
    }

    private void ReadVms(MappingNode node, string path, List<VmDraft> vms)
    {
        var vmReader = new VmReader(_reader, secrets);
        foreach (var (name, keyNode, value) in KeyedEntries.Read(node, path, errors))
        {
            var vmPath = SpecPath.Field(path, name);
            CheckName(name, keyNode, vmPath, "VM");
            if (vmReader.Read(name, value, vmPath) is { } vm) vms.Add(vm);
        }
    }

    private bool CheckName(string name, ScalarNode keyNode, string path, string what)
    {
        if (SpecPatterns.NameRegex.IsMatch(name)) return true;
        errors.Add(keyNode, path,
            $"'{name}' is not a valid {what} name; use 1 to 63 lowercase letters, digits and '-', " +
            "starting with a letter and not ending with '-'");
        return false;
    }
}
