namespace Hangar.Spec.Parsing;

/// <summary>A value read from the file with the node and path it came from, for checks that span several fields.</summary>
internal readonly record struct Located<T>(T Value, YamlNode Node, string Path);
