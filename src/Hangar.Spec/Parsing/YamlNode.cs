namespace Hangar.Spec.Parsing;

/// <summary>
/// One node of a fleet file, with where it starts. Unlike YamlDotNet's representation model, mappings keep duplicate
/// keys so that the validator can report them instead of the loader failing at the first.
/// </summary>
internal abstract class YamlNode(SourcePosition start)
{
    public SourcePosition Start { get; } = start;

    /// <summary>What this node is, for "expected X, found Y" messages.</summary>
    public abstract string Describe();
}
