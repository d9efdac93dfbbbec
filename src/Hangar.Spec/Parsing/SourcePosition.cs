using YamlDotNet.Core;

namespace Hangar.Spec.Parsing;

/// <summary>A 1-based line and column in the fleet file.</summary>
internal readonly record struct SourcePosition(int Line, int Column)
{
    public static readonly SourcePosition FileStart = new(1, 1);

    public static SourcePosition From(Mark mark) =>
        mark.Line < 1 ? FileStart : new((int)mark.Line, (int)Math.Max(1, mark.Column));

    public override string ToString() => $"line {Line}, column {Column}";
}
