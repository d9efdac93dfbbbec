namespace Hangar.State;

/// <summary>
/// Durable rows of the control plane. It stores; it does not interpret: the spec is an opaque canonical JSON text.
/// One interface, engines per database (SQLite now; PostgreSQL for several control-plane replicas later).
/// </summary>
public interface IStateStore : IAsyncDisposable
{
    /// <summary>The newest generation, or null when nothing was ever applied.</summary>
    Task<GenerationRecord?> GetCurrentGenerationAsync(CancellationToken ct);

    /// <summary>
    /// Appends generation <c>current + 1</c> in one transaction, unless <paramref name="expectedCurrent"/> is given
    /// and differs from the current number, in which case it throws <see cref="GenerationConflictException"/>.
    /// </summary>
    Task<GenerationRecord> CommitGenerationAsync(string specJson, string? message, string source, long? expectedCurrent, CancellationToken ct);

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

    /// <summary>Events with an id greater than <paramref name="afterId"/>, oldest first.</summary>
    Task<IReadOnlyList<EventRecord>> ListEventsAsync(long afterId, int limit, CancellationToken ct);
}

/// <summary>An immutable, numbered fleet spec as applied.</summary>
public sealed record GenerationRecord(long Number, DateTimeOffset CreatedAt, string SpecJson, string? Message, string Source);

/// <summary>What an operator asked of one VM outside the fleet file.</summary>
/// <param name="Running">Set by <c>hangar vm start</c> (true) or <c>hangar vm stop</c> (false); null follows the spec's autostart.</param>
/// <param name="RestartNonce">Incremented by <c>hangar vm restart</c>.</param>
public sealed record VmAdminRecord(string Name, bool? Running, long RestartNonce);

/// <param name="Active">False after <c>hangar down</c>: no VM runs until the next <c>hangar up</c>.</param>
/// <param name="PurgeRemoved">Delete the disks of VMs that are no longer desired.</param>
public sealed record FleetAdminRecord(bool Active, bool PurgeRemoved);

/// <summary>Something that happened, for <c>hangar events</c>.</summary>
public sealed record EventRecord(long Id, DateTimeOffset At, string Kind, string? Vm, string Message);

public sealed class GenerationConflictException(long expected, long actual)
    : Exception($"The current generation is {actual}, not {expected}; plan again against generation {actual}.")
{
    public long Expected { get; } = expected;
    public long Actual { get; } = actual;
}
