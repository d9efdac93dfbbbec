namespace Hangar.Spec.Parsing;

/// <summary>A mapping, with its entries in file order (duplicates included).</summary>
internal sealed class MappingNode(SourcePosition start, IReadOnlyList<(YamlNode Key, YamlNode Value)> entries)
    : YamlNode(start)
{
    public IReadOnlyList<(YamlNode Key, YamlNode Value)> Entries { get; } = entries;

    public override string Describe() => "a mapping";
}
