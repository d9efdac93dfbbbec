using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Hangar.Spec.Parsing;

/// <summary>
/// Reads YAML (and JSON, which YAML 1.2 includes) into a <see cref="YamlNode"/> tree from YamlDotNet's parser events,
/// keeping each node's start position. Throws <see cref="YamlException"/> when the text is not YAML.
/// </summary>
internal static class YamlTreeLoader
{
    // A fleet file nests five levels; the limit only keeps hostile input from overflowing the stack.
    private const int MaxDepth = 100;

    /// <summary>The single document's root, or null when the text holds no document at all (empty or comments only).</summary>
    public static YamlNode? Load(string text)
    {
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _)) return null;
        parser.Consume<DocumentStart>();
        var root = ReadNode(parser, new Dictionary<string, YamlNode>(), 0);
        parser.Consume<DocumentEnd>();
        if (parser.Accept<DocumentStart>(out var second))
            throw new YamlException(second.Start, second.End, "Found a second YAML document; a fleet file holds one");
        parser.Consume<StreamEnd>();
        return root;
    }

    private static YamlNode ReadNode(IParser parser, Dictionary<string, YamlNode> anchors, int depth)
    {
        if (depth > MaxDepth)
            throw new YamlException(parser.Current!.Start, parser.Current.End, $"Nodes are nested more than {MaxDepth} levels deep");
        YamlNode node;
        AnchorName anchor;
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new YamlException(alias.Start, alias.End, $"The alias '*{alias.Value.Value}' names no anchor before it");
        }
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            node = new ScalarNode(SourcePosition.From(scalar.Start), scalar.Value, scalar.Style,
                scalar.Tag.IsEmpty ? null : scalar.Tag.Value);
            anchor = scalar.Anchor;
        }
        else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<YamlNode>();
            while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ReadNode(parser, anchors, depth + 1));
            node = new SequenceNode(SourcePosition.From(sequenceStart.Start), items);
            anchor = sequenceStart.Anchor;
        }
        else
        {
            var mappingStart = parser.Consume<MappingStart>();
            var entries = new List<(YamlNode, YamlNode)>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = ReadNode(parser, anchors, depth + 1);
                entries.Add((key, ReadNode(parser, anchors, depth + 1)));
            }
            node = new MappingNode(SourcePosition.From(mappingStart.Start), entries);
            anchor = mappingStart.Anchor;
        }
        if (!anchor.IsEmpty) anchors[anchor.Value] = node;
        return node;
    }
}
