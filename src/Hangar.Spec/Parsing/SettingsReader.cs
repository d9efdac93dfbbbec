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
        if (fields.TryGet(FleetFields.SshPorts, out node, out fieldPath)
            && reader.String(node, fieldPath, "a port range such as 2223-2322") is { } text)
        {
            var parts = text.Split('-');
            if (parts.Length == 2 && int.TryParse(parts[0], out var first) && int.TryParse(parts[1], out var last)
                && first >= 1024 && last <= SpecLimits.MaxPort && first <= last)
                settings = settings with { SshPorts = new PortRange(first, last) };
            else Errors.Add(node, fieldPath, $"'{text}' is not a port range; write FIRST-LAST with 1024 <= FIRST <= LAST <= {SpecLimits.MaxPort}, like 2223-2322");
        }

        return Errors.Count == before ? settings : null;
    }
}
