namespace Hangar.Protocol.Api;

/// <summary>
/// Body of <c>POST /api/v1/apply</c>: a fleet file as text. The control plane parses and validates it again
/// (the CLI already did, for fast feedback), so the file's own name and directory come along for messages and
/// relative image paths.
/// </summary>
/// <param name="StartStopped">When true (as <c>hangar up</c> does), VMs stopped by <c>hangar vm stop</c> are set to
/// run again; <c>hangar apply</c> leaves them stopped. Both bring the fleet back up after <c>hangar down</c>.</param>
/// <param name="ExpectGeneration">Fail with a conflict unless the current generation is this one (optimistic concurrency).</param>
/// <param name="AutoRollback">When a VM the new generation changed is not healthy within the confirm timeout, switch back
/// to the previous good generation by itself.</param>
/// <param name="ConfirmTimeout">How long the health gate waits; null for <see cref="DefaultConfirmTimeout"/>.</param>
/// <param name="Author">Who asked (the CLI sends the user it runs as, or SUDO_USER), recorded with the generation.</param>
/// <param name="Secrets">The age files (base64) of the secrets the file's credentials name, by secret name, as the CLI
/// read them from <c>secrets/NAME.age</c> beside the file: ciphertext only, which the control plane stores with the
/// generation and hands to the VM's agent. Null when the file names none.</param>
/// <param name="Identities">The VMs' host keys by VM name, as the CLI read (or made) them in <c>secrets/identities</c>:
/// the public line and the private key's age file (base64). Null when no VM has one.</param>
public sealed record ApplyRequest(string FileName, string Text, string? BaseDirectory, string? Message, bool StartStopped,
    long? ExpectGeneration = null, bool AutoRollback = true, TimeSpan? ConfirmTimeout = null, string? Author = null,
    IReadOnlyDictionary<string, string>? Secrets = null, IReadOnlyDictionary<string, Hangar.Spec.VmIdentity>? Identities = null)
{
    /// <summary>
    /// How long the health gate waits when an apply or rollback names no confirm timeout: the one place for this
    /// default (the control plane applies it, the CLI shows it in its help).
    /// </summary>
    public static readonly TimeSpan DefaultConfirmTimeout = TimeSpan.FromMinutes(5);
}

/// <summary>Body of <c>POST /api/v1/rollback</c>: return to generation <paramref name="To"/> (default: the previous good one).</summary>
/// <param name="ConfirmTimeout">How long the health gate waits; null for <see cref="ApplyRequest.DefaultConfirmTimeout"/>.</param>
public sealed record RollbackRequest(long? To, string? Message, bool AutoRollback = false, TimeSpan? ConfirmTimeout = null, string? Author = null);

/// <summary>Answer to <c>POST /api/v1/plan</c>: what an apply of the file would do, and what stands in its way.</summary>
/// <param name="Problems">Things that make the apply fail: each VM that cannot be placed, with why.</param>
/// <param name="FleetChanges">Changes outside the VMs, one per field: <c>settings.orphans: stop → keep</c>,
/// <c>images.base.sha256: … → …</c>, an image added or removed. Null from servers that predate them.</param>
public sealed record PlanResponse(long CurrentGeneration, bool HasChanges, IReadOnlyList<PlanEntry> Plan, IReadOnlyList<string> Problems,
    IReadOnlyList<string>? FleetChanges = null);

/// <summary>Answer to an apply: the generation now current, whether it is new, and what changes per VM and outside the VMs.</summary>
public sealed record ApplyResponse(long Generation, long Revision, bool Changed, IReadOnlyList<PlanEntry> Plan,
    IReadOnlyList<string>? FleetChanges = null);

/// <summary>Answer to <c>GET /api/v1/diff?from=A&amp;to=B</c>: what changes, per VM and outside the VMs, from generation A to B.</summary>
public sealed record DiffResponse(long From, long To, IReadOnlyList<PlanEntry> Plan, IReadOnlyList<string>? FleetChanges = null);

/// <summary>What an apply does to one VM, and where it runs.</summary>
/// <param name="Agent">The agent the VM runs on after the apply; null for a VM deleted, one that cannot be placed,
/// one that waits for an agent, and in diffs between generations (which do not know placement).</param>
/// <param name="From">For <see cref="PlanAction.Move"/>: the agent the VM leaves.</param>
/// <param name="Unplaceable">Why no agent can run the VM (<c>no agent with 8GiB memory free (a1: 2GiB free, a2: cordoned)</c>);
/// the plan then fails and an apply is refused.</param>
public sealed record PlanEntry(string Vm, PlanAction Action, IReadOnlyList<string> Changes, string? Agent = null, string? From = null,
    string? Unplaceable = null);

/// <summary>
/// What happens to a VM. <see cref="Move"/>: it goes to another agent (its placement changed), where it starts afresh
/// from its image; its disk stays on the agent it leaves.
/// </summary>
public enum PlanAction { Create, Update, Replace, Delete, Unchanged, Move }
