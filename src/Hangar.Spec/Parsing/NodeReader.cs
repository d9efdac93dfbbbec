using System.Globalization;

namespace Hangar.Spec.Parsing;

/// <summary>
/// Reads one node as a given type, or reports what was expected and what was found and returns null.
/// </summary>
internal sealed class NodeReader(ErrorCollector errors)
{
    public ErrorCollector Errors { get; } = errors;

    public MappingNode? Mapping(YamlNode node, string path, string what = "a mapping")
    {
        if (node is MappingNode mapping) return mapping;
        var hint = node is ScalarNode { IsNull: true } ? "; write {} for an empty one" : "";
        Errors.Add(node, path, $"Expected {what}, found {node.Describe()}{hint}");
        return null;
    }

    public SequenceNode? Sequence(YamlNode node, string path, string what)
    {
        if (node is SequenceNode sequence) return sequence;
        Errors.Add(node, path, $"Expected {what}, found {node.Describe()}");
        return null;
    }

    /// <summary>Any non-null scalar, quoted or not (a bare <c>80</c> is fine where text is expected).</summary>
    public string? String(YamlNode node, string path, string what = "a string")
    {
        if (node is ScalarNode { IsNull: false } scalar)
        {
            if (scalar.Value.Length > 0) return scalar.Value;
            Errors.Add(node, path, $"Expected {what}, found an empty string");
            return null;
        }
        Errors.Add(node, path, $"Expected {what}, found {node.Describe()}");
        return null;
    }

    public int? Int(YamlNode node, string path, int min, int max)
    {
        var expected = $"an integer from {min} to {max}";
        if (node is ScalarNode { IsPlain: true, IsNull: false } scalar
            && long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min && value <= max) return (int)value;
            Errors.Add(node, path, $"Expected {expected}, found {scalar.Value}");
            return null;
        }
        var hint = node is ScalarNode { IsPlain: false } quoted
                   && long.TryParse(quoted.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            ? "; write the number without quotes"
            : "";
        Errors.Add(node, path, $"Expected {expected}, found {node.Describe()}{hint}");
        return null;
    }

    public bool? Bool(YamlNode node, string path)
    {
        if (node is ScalarNode { IsPlain: true } scalar)
        {
            switch (scalar.Value)
            {
                case "true" or "True" or "TRUE": return true;
                case "false" or "False" or "FALSE": return false;
            }
        }
        Errors.Add(node, path, $"Expected true or false, found {node.Describe()}");
        return null;
    }

    /// <summary>A size such as <c>512MiB</c>: a whole number of MiB, at least <paramref name="min"/>.</summary>
    public ByteSize? Size(YamlNode node, string path, ByteSize min)
    {
        var text = String(node, path, "a size such as 512MiB");
        if (text is null) return null;
        if (!ByteSize.TryParse(text, out var size, out var error))
        {
            Errors.Add(node, path, Capitalize(error!));
            return null;
        }
        if (size.Bytes % ByteSize.MiB != 0)
        {
            Errors.Add(node, path, $"'{text}' is not a whole number of MiB; write it in MiB, like {Math.Max(1, size.MiBytes)}MiB");
            return null;
        }
        if (size.Bytes < min.Bytes)
        {
            Errors.Add(node, path, $"'{text}' is too small; the minimum is {min}");
            return null;
        }
        return size;
    }

    public TimeSpan? Duration(YamlNode node, string path)
    {
        var text = String(node, path, "a duration such as 120s");
        if (text is null) return null;
        if (DurationSyntax.TryParse(text, out var duration, out var error)) return duration;
        Errors.Add(node, path, Capitalize(error!));
        return null;
    }

    /// <summary>One of a closed set of words, such as a restart policy.</summary>
    public T? Keyword<T>(YamlNode node, string path, IReadOnlyList<(string Text, T Value)> table) where T : struct, Enum
    {
        var valid = string.Join(", ", table.Select(e => e.Text));
        if (node is ScalarNode { IsNull: false } scalar)
        {
            foreach (var (text, value) in table)
                if (text == scalar.Value) return value;
            var closest = EditDistance.Closest(scalar.Value, table.Select(e => e.Text));
            var hint = closest is null ? "" : $"; did you mean '{closest}'?";
            Errors.Add(node, path, $"'{scalar.Value}' is not one of {valid}{hint}");
            return null;
        }
        Errors.Add(node, path, $"Expected one of {valid}, found {node.Describe()}");
        return null;
    }

    private static string Capitalize(string message) =>
        message.Length == 0 || char.IsUpper(message[0]) || message[0] == '\'' ? message : char.ToUpperInvariant(message[0]) + message[1..];
}
