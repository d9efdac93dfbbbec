using Hangar.Protocol.Api;
using Hangar.Spec;
using Hangar.State;

namespace Hangar.ControlPlane.Fleet;

/// <summary>Read-only questions about the generations: the list, one generation's file, the diff of two.</summary>
internal sealed class HistoryQueries(IStateStore store)
{
    public async Task<IReadOnlyList<GenerationInfo>> GenerationsAsync(CancellationToken ct) =>
        (await store.ListGenerationsAsync(ct)).Select(Info).ToArray();

    public async Task<GenerationDetail> GenerationAsync(long number, CancellationToken ct)
    {
        var record = await store.GetGenerationAsync(number, ct) ?? throw new GenerationNotFoundException(number);
        return new GenerationDetail(Info(record), FleetYaml.Write(FleetJson.Deserialize(record.SpecJson)));
    }

    public async Task<DiffResponse> DiffAsync(long from, long to, CancellationToken ct)
    {
        var a = await store.GetGenerationAsync(from, ct) ?? throw new GenerationNotFoundException(from);
        var b = await store.GetGenerationAsync(to, ct) ?? throw new GenerationNotFoundException(to);
        var (specA, specB) = (FleetJson.Deserialize(a.SpecJson), FleetJson.Deserialize(b.SpecJson));
        // A disk kept aside is named after the generation it served until the next one replaced it: known only
        // when B follows A directly.
        return new DiffResponse(from, to, PlanEntries.Of(FleetDiff.Compare(specA, specB, to == from + 1 ? from : null)),
            PlanEntries.FleetChanges(specA, specB));
    }

    private static GenerationInfo Info(GenerationRecord r) => new(r.Number, r.CreatedAt, r.Message, r.Source, StateOf(r.Status), r.Reason,
        r.RollbackOf, System.Text.Json.JsonSerializer.Deserialize(r.ChangedVms, StateJsonContext.Default.StringArray) ?? [], r.Confirmed, r.Author,
        r.ImageDigests is null ? null : System.Text.Json.JsonSerializer.Deserialize(r.ImageDigests, StateJsonContext.Default.DictionaryStringString));

    /// <summary>The store's status in wire terms: separate enums, so that neither changes the other.</summary>
    public static GenerationState StateOf(GenerationStatus status) => status switch
    {
        GenerationStatus.RollingOut => GenerationState.RollingOut,
        GenerationStatus.Active => GenerationState.Active,
        GenerationStatus.Superseded => GenerationState.Superseded,
        GenerationStatus.Failed => GenerationState.Failed,
        GenerationStatus.RolledBack => GenerationState.RolledBack,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
