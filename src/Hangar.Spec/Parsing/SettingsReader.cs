namespace Hangar.Spec.Parsing;

/// <summary>Reads the top-level <c>settings</c> mapping; fields it omits keep their defaults.</summary>
internal sealed class SettingsReader(NodeReader reader)
{
    private ErrorCollector Errors => reader.Errors;

    /// <summary>The settings, or null when they have errors (they are reported).</summary>
    public FleetSettings? Read(YamlNode value, string path)
    {
        var before = Errors.Count;
        var mapping = reader.Mapping(value, path, "fleet-wide settings (a mapping, such as { orphans: stop })");
        if (mapping is null) return null;
        var fields = new FieldMapping(mapping, path, FleetFields.SettingsFields, Errors);

        var settings = FleetSettings.Default;
        if (fields.TryGet(FleetFields.Orphans, out var node, out var fieldPath)
            && reader.Keyword(node, fieldPath, SpecKeywords.Orphans) is { } orphans)
            settings = settings with { Orphans = orphans };
        if (fields.TryGet(FleetFields.SshPorts, out node, out fieldPath) && Range(node, fieldPath, 1024, "2223-2322") is { } ssh)
            settings = settings with { SshPorts = ssh };
        // QEMU numbers VNC displays from 5900: a port below has no display number.
        if (fields.TryGet(FleetFields.VncPorts, out node, out fieldPath) && Range(node, fieldPath, 5900, "5900-5999") is { } vnc)
            settings = settings with { VncPorts = vnc };

        return Errors.Count == before ? settings : null;
    }

    private PortRange? Range(YamlNode node, string path, int lowest, string example)
    {
        if (reader.String(node, path, $"a port range such as {example}") is not { } text) return null;
        var parts = text.Split('-');
        if (parts.Length == 2 && int.TryParse(parts[0], out var first) && int.TryParse(parts[1], out var last)
            && first >= lowest && last <= SpecLimits.MaxPort && first <= last)
            return new PortRange(first, last);
        Errors.Add(node, path, $"'{text}' is not a port range; write FIRST-LAST with {lowest} <= FIRST <= LAST <= {SpecLimits.MaxPort}, like {example}");
        return null;
    }
}
