using Hangar.Spec;

namespace Hangar.ControlPlane.Fleet;

/// <summary>An applied fleet file had errors; nothing was applied.</summary>
public sealed class SpecRejectedException(IReadOnlyList<SpecError> errors)
    : Exception($"The fleet file has {errors.Count} error(s); nothing was applied.")
{
    public IReadOnlyList<SpecError> Errors { get; } = errors;
}

/// <summary>An API call named a VM that the current generation does not have.</summary>
public sealed class VmNotFoundException(string name) : Exception($"No VM named '{name}' in the current generation.")
{
    public string Name { get; } = name;
}
