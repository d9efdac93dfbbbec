namespace Hangar.Protocol.Api;

/// <summary>
/// Body of <c>POST /api/v1/agents/{name}/labels</c>: labels to set (added or replaced) and keys to remove, as
/// <c>hangar agent label NAME k=v k2-</c> writes them. Placement follows on the next plan or apply.
/// </summary>
public sealed record AgentLabelsRequest(IReadOnlyDictionary<string, string> Set, IReadOnlyList<string> Remove);
