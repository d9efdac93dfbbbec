namespace Hangar.Spec.Parsing;

/// <summary>
/// The entries of a mapping whose keys are names (fields, VM names, image names): keys that are not text and
/// repeated keys are reported, and only the first entry of each key is kept.
/// </summary>
internal static class KeyedEntries
{
    public static IReadOnlyList<(string Key, ScalarNode KeyNode, YamlNode Value)> Read(
        MappingNode mapping, string path, ErrorCollector errors)
    {
        var seen = new Dictionary<string, ScalarNode>(StringComparer.Ordinal);
        var entries = new List<(string, ScalarNode, YamlNode)>();
        foreach (var (key, value) in mapping.Entries)
        {
            if (key is not ScalarNode { IsNull: false } scalar)
            {
                errors.Add(key, path, $"Expected a name as the key, found {key.Describe()}");
                continue;
            }
            if (seen.TryGetValue(scalar.Value, out var first))
            {
                errors.Add(key, SpecPath.Field(path, scalar.Value),
                    $"Duplicate key '{scalar.Value}'; it is already defined at {first.Start}");
                continue;
            }
            seen.Add(scalar.Value, scalar);
            entries.Add((scalar.Value, scalar, value));
        }
        return entries;
    }
}
