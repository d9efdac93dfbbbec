namespace Hangar.State;

/// <summary>What every engine writes for a new generation, so that what a commit returns is what a read returns.</summary>
internal static class StoredGeneration
{
    /// <summary>
    /// Generation <paramref name="number"/> from <paramref name="generation"/>: rolling out (unconfirmed) when it has
    /// a health-gate deadline, else active and confirmed. Instants are cut to milliseconds, as the engines keep them.
    /// </summary>
    public static GenerationRecord New(long number, NewGeneration generation)
    {
        var gate = generation.ConfirmDeadline is not null;
        return new GenerationRecord(number, Milliseconds(DateTimeOffset.UtcNow), generation.SpecJson, generation.Message, generation.Source,
            gate ? GenerationStatus.RollingOut : GenerationStatus.Active, null, generation.RollbackOf, generation.ChangedVms,
            Confirmed: !gate, generation.AutoRollback, generation.ConfirmDeadline is { } deadline ? Milliseconds(deadline) : null, generation.Author);
    }

    /// <summary>The instant in UTC, cut to whole milliseconds.</summary>
    public static DateTimeOffset Milliseconds(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
}
