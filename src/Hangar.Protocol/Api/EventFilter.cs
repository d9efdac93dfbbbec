namespace Hangar.Protocol.Api;

/// <summary>
/// Which events <c>GET /api/v1/events</c> returns (<c>hangar events --vm --agent --kind</c>), applied by the server: an
/// event passes when each list that is not empty names its VM, its agent and its kind. In a query each is a repeated
/// parameter or a comma list (<c>?vm=web&amp;vm=db</c>, <c>?kind=vm.started,vm.crashed</c>).
/// </summary>
public sealed record EventFilter(IReadOnlyList<string> Vms, IReadOnlyList<string> Agents, IReadOnlyList<string> Kinds)
{
    public static readonly EventFilter All = new([], [], []);

    /// <summary>A filter from repeated values that may each be comma lists; blanks are dropped.</summary>
    public static EventFilter From(IEnumerable<string?>? vms, IEnumerable<string?>? agents, IEnumerable<string?>? kinds) =>
        new(Split(vms), Split(agents), Split(kinds));

    public bool IsAll => Vms.Count == 0 && Agents.Count == 0 && Kinds.Count == 0;

    public bool Matches(string kind, string? vm, string? agent) =>
        (Kinds.Count == 0 || Kinds.Contains(kind, StringComparer.Ordinal))
        && (Vms.Count == 0 || (vm is not null && Vms.Contains(vm, StringComparer.Ordinal)))
        && (Agents.Count == 0 || (agent is not null && Agents.Contains(agent, StringComparer.Ordinal)));

    /// <summary>The query parameters of this filter (<c>&amp;vm=…&amp;agent=…&amp;kind=…</c>), escaped; empty for all.</summary>
    public string ToQuery() =>
        string.Concat(Vms.Select(v => "&vm=" + Uri.EscapeDataString(v))
            .Concat(Agents.Select(a => "&agent=" + Uri.EscapeDataString(a)))
            .Concat(Kinds.Select(k => "&kind=" + Uri.EscapeDataString(k))));

    private static string[] Split(IEnumerable<string?>? values) =>
        (values ?? []).SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal).ToArray();
}
