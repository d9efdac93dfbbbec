namespace Hangar.Spec;

/// <summary>
/// One thing wrong with a fleet file: where it is (file, 1-based line and column), which field
/// (a dotted path such as <c>vms.web.memory</c>), and what would be valid.
/// </summary>
public sealed record SpecError(string File, int Line, int Column, string Path, string Message)
{
    public override string ToString() =>
        Path.Length == 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: {Path}: {Message}";
}

/// <summary>The outcome of reading a fleet file: a spec when there were no errors, otherwise every error found.</summary>
public sealed record SpecResult(FleetSpec? Spec, ValueList<SpecError> Errors)
{
    public bool IsValid => Spec is not null && Errors.Count == 0;
}
