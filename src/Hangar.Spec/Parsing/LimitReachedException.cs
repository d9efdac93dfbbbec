namespace Hangar.Spec.Parsing;

/// <summary>
/// Reading a fleet file stopped at one of <see cref="SpecLimits"/>' caps on what a file may cost. The parser turns it
/// into the file's last error; it never leaves the parser.
/// </summary>
/// <remarks>
/// An exception rather than a flag to check, because the caps are hit deep inside the loader and the readers, and
/// everything after that point is work the cap exists to avoid.
/// </remarks>
internal sealed class LimitReachedException(SourcePosition at, string message) : Exception(message)
{
    public SourcePosition At { get; } = at;
}
