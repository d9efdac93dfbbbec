using YamlDotNet.Core;

namespace Hangar.Spec.Parsing;

/// <summary>A scalar. <see cref="IsPlain"/> tells a bare <c>2</c> (a number) from a quoted <c>"2"</c> (a string).</summary>
internal sealed class ScalarNode(SourcePosition start, string value, ScalarStyle style, string? tag) : YamlNode(start)
{
    public string Value { get; } = value;

    /// <summary>
    /// Unquoted and untagged, so YAML resolves it as null, a boolean or a number when it looks like one. Quoted or
    /// tagged scalars (<c>"2"</c>, <c>!!str 2</c>) are strings.
    /// </summary>
    public bool IsPlain { get; } = style is ScalarStyle.Plain or ScalarStyle.Any && string.IsNullOrEmpty(tag);

    /// <summary>YAML 1.2 core schema nulls: empty, <c>~</c>, <c>null</c>.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() =>
        IsNull ? "an empty value (null)" : IsPlain ? $"'{Value}'" : $"the string '{Value}'";
}
