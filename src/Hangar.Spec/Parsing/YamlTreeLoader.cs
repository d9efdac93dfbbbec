using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Hangar.Spec.Parsing;

/// <summary>
/// Reads YAML (and JSON, which YAML 1.2 includes) into a <see cref="YamlNode"/> tree from YamlDotNet's parser events,
/// keeping each node's start position. Throws <see cref="YamlException"/> when the text is not YAML, and
/// <see cref="LimitReachedException"/> when it nests deeper than <see cref="SpecLimits.MaxDepth"/> or its aliases
/// expand it beyond <see cref="SpecLimits.MaxExpandedSize"/>.
/// </summary>
/// <remarks>
/// An alias becomes a second reference to its anchor's node, so the tree stays as small as the text; but the readers
/// walk a shared node once for each place it appears. A few kilobytes of aliases to aliases can so stand for billions
/// of nodes, and the expanded size is counted here, while loading, before anything walks it.
/// </remarks>
internal sealed class YamlTreeLoader
{
    private readonly IParser _parser;
    private readonly Dictionary<string, (YamlNode Node, long Size)> _anchors = new(StringComparer.Ordinal);

    // The document's size with every alias counted as a copy of its anchor: nodes plus scalar characters. It only
    // grows, in document order, so the first node that takes it past the limit is where the error points.
    private long _expandedSize;

    private YamlTreeLoader(IParser parser) => _parser = parser;

    /// <summary>The single document's root, or null when the text holds no document at all (empty or comments only).</summary>
    public static YamlNode? Load(string text)
    {
        var parser = new GuardedParser(new Parser(new StringReader(text)));
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _)) return null;
        parser.Consume<DocumentStart>();
        var (root, _) = new YamlTreeLoader(parser).ReadNode(0);
        parser.Consume<DocumentEnd>();
        if (parser.Accept<DocumentStart>(out var second))
            throw new YamlException(second.Start, second.End, "Found a second YAML document; a fleet file holds one");
        parser.Consume<StreamEnd>();
        return root;
    }

    /// <summary>A node and its expanded size (nodes plus scalar characters, aliases counted in full).</summary>
    private (YamlNode Node, long Size) ReadNode(int depth)
    {
        var current = _parser.Current ?? throw new YamlException("The YAML ended inside a node");
        var at = SourcePosition.From(current.Start);
        if (depth >= SpecLimits.MaxDepth)
            throw new LimitReachedException(at, $"Nodes are nested more than {SpecLimits.MaxDepth} levels deep, the limit for a fleet file");
        if (_parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                throw new YamlException(alias.Start, alias.End, $"The alias '*{alias.Value.Value}' names no anchor before it");
            Count(target.Size, at);
            return target;
        }
        YamlNode node;
        long size;
        AnchorName anchor;
        if (_parser.TryConsume<Scalar>(out var scalar))
        {
            node = new ScalarNode(at, scalar.Value, scalar.Style, scalar.Tag.IsEmpty ? null : scalar.Tag.Value);
            size = 1 + scalar.Value.Length;
            Count(size, at);
            anchor = scalar.Anchor;
        }
        else if (_parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            Count(size = 1, at);
            var items = new List<YamlNode>();
            while (!_parser.TryConsume<SequenceEnd>(out _))
            {
                var (item, itemSize) = ReadNode(depth + 1);
                items.Add(item);
                size += itemSize;
            }
            node = new SequenceNode(at, items);
            anchor = sequenceStart.Anchor;
        }
        else
        {
            var mappingStart = _parser.Consume<MappingStart>();
            Count(size = 1, at);
            var entries = new List<(YamlNode, YamlNode)>();
            while (!_parser.TryConsume<MappingEnd>(out _))
            {
                var (key, keySize) = ReadNode(depth + 1);
                var (value, valueSize) = ReadNode(depth + 1);
                entries.Add((key, value));
                size += keySize + valueSize;
            }
            node = new MappingNode(at, entries);
            anchor = mappingStart.Anchor;
        }
        if (!anchor.IsEmpty) _anchors[anchor.Value] = (node, size);
        return (node, size);
    }

    private void Count(long size, SourcePosition at)
    {
        _expandedSize += size;
        if (_expandedSize > SpecLimits.MaxExpandedSize)
        {
            throw new LimitReachedException(at,
                $"Aliases expand this file beyond {SpecLimits.MaxExpandedSize:N0} nodes and characters, the limit for a " +
                "fleet file (each alias counts as a full copy of its anchor); repeat less through aliases");
        }
    }
}
