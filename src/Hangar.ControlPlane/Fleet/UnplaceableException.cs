namespace Hangar.ControlPlane.Fleet;

/// <summary>An apply named VMs that no agent can run; nothing was committed.</summary>
public sealed class UnplaceableException(IReadOnlyList<string> problems)
    : Exception($"Nothing was applied: {string.Join("; ", problems)}.")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
