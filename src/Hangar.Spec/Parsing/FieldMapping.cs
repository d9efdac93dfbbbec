namespace Hangar.Spec.Parsing;

/// <summary>
/// A mapping with a fixed set of fields (a VM, an image, a health check). Unknown fields are reported at their key
/// with the closest valid field or the list of valid ones; asking for a field outside the set is a bug.
/// </summary>
internal sealed class FieldMapping
{
    private readonly Dictionary<string, (ScalarNode Key, YamlNode Value)> _fields = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<string> _known;

    public FieldMapping(MappingNode node, string path, IReadOnlyList<string> known, ErrorCollector errors)
    {
        Node = node;
        Path = path;
        _known = known;
        foreach (var (key, keyNode, value) in KeyedEntries.Read(node, path, errors))
        {
            if (known.Contains(key))
            {
                _fields.Add(key, (keyNode, value));
                continue;
            }
            var closest = EditDistance.Closest(key, known);
            var hint = closest is not null
                ? $"did you mean '{closest}'?"
                : $"valid fields are {string.Join(", ", known)}";
            errors.Add(keyNode, SpecPath.Field(path, key), $"Unknown field '{key}'; {hint}");
        }
    }

    public MappingNode Node { get; }
    public string Path { get; }

    public bool TryGet(string field, out YamlNode value, out string path)
    {
        if (!_known.Contains(field))
            throw new ArgumentException($"'{field}' is not a known field here", nameof(field));
        path = SpecPath.Field(Path, field);
        var found = _fields.TryGetValue(field, out var entry);
        value = entry.Value!;
        return found;
    }

    /// <summary>A required field; a missing one is reported at the start of this mapping, with the field's path.</summary>
    public bool TryGetRequired(string field, string what, ErrorCollector errors, out YamlNode value, out string path)
    {
        if (TryGet(field, out value, out path)) return true;
        errors.Add(Node, path, $"Missing required field '{field}': {what}");
        return false;
    }
}
