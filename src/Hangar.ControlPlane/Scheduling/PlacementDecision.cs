namespace Hangar.ControlPlane.Scheduling;

/// <summary>What the scheduler decided: the agent of every VM it placed, and why each other VM has none.</summary>
/// <param name="Placement">VM name → agent name.</param>
/// <param name="Unplaced">VM name → why no agent can run it, in the order of the fleet.</param>
public sealed record PlacementDecision(IReadOnlyDictionary<string, string> Placement, IReadOnlyDictionary<string, Unplaceable> Unplaced);

/// <summary>Why a VM has no agent.</summary>
/// <param name="Reason">Nomad-style: <c>no agent with 8GiB memory free (a1: 2GiB free, a2: cordoned)</c>, <c>host h3 is not known</c>.</param>
/// <param name="Waits">True when no agent is online and uncordoned at all and nothing else is wrong: the VM waits for
/// one (a fresh cluster, a control plane whose agents have not reconnected yet) rather than fail a plan.</param>
public sealed record Unplaceable(string Reason, bool Waits);
