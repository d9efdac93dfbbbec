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

        return Errors.Count == before ? settings : null;
    }
}
