namespace Hangar.State;

/// <summary>
/// Durable rows of the control plane. It stores; it does not interpret: the spec is an opaque canonical JSON text.
/// One interface, engines per database (SQLite now; PostgreSQL for several control-plane replicas later).
/// </summary>
public interface IStateStore : IAsyncDisposable
{
    /// <summary>The newest generation, or null when nothing was ever applied.</summary>
    Task<GenerationRecord?> GetCurrentGenerationAsync(CancellationToken ct);

    Task<GenerationRecord?> GetGenerationAsync(long number, CancellationToken ct);

    /// <summary>
    /// In one transaction: checks that the current generation is <paramref name="expectedCurrent"/> (else throws
    /// <see cref="GenerationConflictException"/>), sets the current generation's status to <paramref name="previousStatus"/>
    /// (with <paramref name="previousReason"/>), and appends generation <c>current + 1</c>. Nothing else can be read
    /// in between: after a crash the current generation is exactly the old one or exactly the new one.
    /// </summary>
    Task<GenerationRecord> CommitGenerationAsync(NewGeneration generation, long expectedCurrent, GenerationStatus previousStatus, string? previousReason, CancellationToken ct);

    /// <summary>Records how a generation's rollout ended (or that it was left by a rollback).</summary>
    Task SetGenerationStatusAsync(long number, GenerationStatus status, string? reason, bool confirmed, CancellationToken ct);

    /// <summary>Records the image digests the generation's VMs booted (a JSON map of image name to sha256).</summary>
    Task SetGenerationImageDigestsAsync(long number, string imageDigestsJson, CancellationToken ct);

    Task<IReadOnlyList<GenerationRecord>> ListGenerationsAsync(CancellationToken ct);

    /// <summary>Per-VM operator state (stopped by hand, restart requests), keyed by VM name.</summary>
    Task<IReadOnlyDictionary<string, VmAdminRecord>> GetVmAdminAsync(CancellationToken ct);

    Task SetVmAdminAsync(VmAdminRecord record, CancellationToken ct);

    /// <summary>Replaces all per-VM operator state in one transaction.</summary>
    Task ReplaceVmAdminAsync(IEnumerable<VmAdminRecord> records, CancellationToken ct);

    /// <summary>Fleet-wide operator state: whether the fleet is up, and whether removed VMs' disks are purged.</summary>
    Task<FleetAdminRecord> GetFleetAdminAsync(CancellationToken ct);

    Task SetFleetAdminAsync(FleetAdminRecord record, CancellationToken ct);

    Task AppendEventAsync(EventRecord record, CancellationToken ct);

    /// <summary>Appends <paramref name="records"/> in one transaction, their ids in list order: an agent's first
    /// report of N VMs is 2N events, and one transaction each cost one disk sync each.</summary>
    Task AppendEventsAsync(IReadOnlyList<EventRecord> records, CancellationToken ct);

    /// <summary>Events with an id greater than <paramref name="afterId"/>, oldest first.</summary>
    Task<IReadOnlyList<EventRecord>> ListEventsAsync(long afterId, int limit, CancellationToken ct);
}

/// <summary>What a new generation holds, before it has a number.</summary>
/// <param name="ChangedVms">JSON array of the VM names whose rollout the health gate waits for.</param>
/// <param name="RollbackOf">The generation whose content this one restores, for a rollback.</param>
/// <param name="ConfirmDeadline">Until when the health gate waits; null when there is nothing to wait for.</param>
public sealed record NewGeneration(string SpecJson, string? Message, string Source, string ChangedVms, long? RollbackOf,
    bool AutoRollback, DateTimeOffset? ConfirmDeadline, string? Author = null);

/// <summary>An immutable, numbered fleet spec as applied, and how its rollout went.</summary>
/// <param name="Status">Where the generation is in its life.</param>
/// <param name="Confirmed">Every VM it changed came up healthy (or it changed none): a rollback may return to it.</param>
public sealed record GenerationRecord(long Number, DateTimeOffset CreatedAt, string SpecJson, string? Message, string Source,
    GenerationStatus Status, string? Reason, long? RollbackOf, string ChangedVms, bool Confirmed, bool AutoRollback, DateTimeOffset? ConfirmDeadline,
    string? Author = null, string? ImageDigests = null);

/// <summary>What an operator asked of one VM outside the fleet file.</summary>
/// <param name="Running">Set by <c>hangar vm start</c> (true) or <c>hangar vm stop</c> (false); null follows the spec's autostart.</param>
/// <param name="RestartNonce">Incremented by <c>hangar vm restart</c>.</param>
public sealed record VmAdminRecord(string Name, bool? Running, long RestartNonce);

/// <param name="Active">False after <c>hangar down</c>: no VM runs until the next <c>hangar up</c>.</param>
/// <param name="PurgeRemoved">Delete the disks of VMs that are no longer desired.</param>
public sealed record FleetAdminRecord(bool Active, bool PurgeRemoved);

/// <summary>Something that happened, for <c>hangar events</c>.</summary>
/// <param name="Vm">The VM it is about; null for none.</param>
/// <param name="Agent">The agent it is about (the one a VM event was reported by); null for none.</param>
public sealed record EventRecord(long Id, DateTimeOffset At, string Kind, string? Vm, string Message, string? Agent = null);

public sealed class GenerationConflictException(long expected, long actual)
    : Exception($"The current generation is {actual}, not {expected}; plan again against generation {actual}.")
{
    public long Expected { get; } = expected;
    public long Actual { get; } = actual;
}
