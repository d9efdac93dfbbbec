namespace Hangar.Spec.Parsing;

/// <summary>A list.</summary>
internal sealed class SequenceNode(SourcePosition start, IReadOnlyList<YamlNode> items) : YamlNode(start)
{
    public IReadOnlyList<YamlNode> Items { get; } = items;

    public override string Describe() => "a list";
}
