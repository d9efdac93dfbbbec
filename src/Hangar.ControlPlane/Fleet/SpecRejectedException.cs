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

/// <summary>An API call named a generation that does not exist.</summary>
public sealed class GenerationNotFoundException(long number) : Exception($"There is no generation {number}.")
{
    public long Number { get; } = number;
}

/// <summary>A rollback has no generation to go to.</summary>
public sealed class RollbackTargetException(string message) : Exception(message);
