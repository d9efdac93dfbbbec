namespace Hangar.Spec;

/// <summary>
/// Where a VM may run, from the VM's <c>placement</c> mapping. Without one, the scheduler picks any online, uncordoned
/// agent with the memory free and the VM's host ports unused there (least allocated first).
/// </summary>
/// <param name="Host">The agent the VM is pinned to; null for any agent.</param>
/// <param name="Labels">Labels the agent must have, every one with the same value (<c>labels: {gpu: "true"}</c>).</param>
/// <param name="Movable">Whether <c>hangar agent drain</c> may move the VM to another agent. It starts afresh from its
/// image there: its disk stays on the old host. False by default, because a VM's disk is local to its host.</param>
public sealed record VmPlacement(string? Host, ValueList<PlacementLabel> Labels, bool Movable)
{
    /// <summary>No constraint, not movable: the default.</summary>
    public static readonly VmPlacement Anywhere = new(null, ValueList<PlacementLabel>.Empty, SpecDefaults.Movable);

    /// <summary>Whether an agent named <paramref name="agent"/> with <paramref name="labels"/> may run the VM.</summary>
    public bool Admits(string agent, IReadOnlyDictionary<string, string> labels) =>
        (Host is null || string.Equals(Host, agent, StringComparison.Ordinal))
        && Labels.All(l => labels.TryGetValue(l.Key, out var value) && string.Equals(value, l.Value, StringComparison.Ordinal));

    /// <summary>One line for plans and diffs: <c>host h1, labels gpu=true, movable</c>; <c>anywhere</c> for the default.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Host is not null) parts.Add($"host {Host}");
        if (Labels.Count > 0) parts.Add("labels " + string.Join(",", Labels));
        if (Movable) parts.Add("movable");
        return parts.Count == 0 ? "anywhere" : string.Join(", ", parts);
    }
}

/// <summary>One label selector of a VM's placement: the agent needs label <see cref="Key"/> with <see cref="Value"/>.</summary>
public sealed record PlacementLabel(string Key, string Value)
{
    public override string ToString() => $"{Key}={Value}";
}
