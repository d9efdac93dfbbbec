namespace Hangar.State.Replication;

/// <summary>
/// A notice that replica <paramref name="Replica"/> changed part of the shared store. It carries no data: a replica
/// that receives it reloads that part from the store (a notice may be lost, the store is the truth).
/// </summary>
/// <param name="Subject">The agent concerned, for the agent kinds; null otherwise.</param>
public sealed record StoreChange(StoreChangeKind Kind, string Replica, string? Subject = null)
{
    private static readonly Dictionary<StoreChangeKind, string> Words = new()
    {
        [StoreChangeKind.Reset] = "reset",
        [StoreChangeKind.Generation] = "generation",
        [StoreChangeKind.OperatorState] = "operator",
        [StoreChangeKind.Placement] = "placement",
        [StoreChangeKind.Agents] = "agents",
        [StoreChangeKind.AgentOnline] = "online",
        [StoreChangeKind.AgentOffline] = "offline",
        [StoreChangeKind.Observed] = "observed",
        [StoreChangeKind.Events] = "events",
    };

    /// <summary>The notice's text: <c>KIND REPLICA [SUBJECT]</c>, separated by tabs (names hold no tab).</summary>
    public string ToPayload() => Subject is null ? $"{Words[Kind]}\t{Replica}" : $"{Words[Kind]}\t{Replica}\t{Subject}";

    /// <summary>The notice in <paramref name="payload"/>, or null for one this code does not know (a newer replica's).</summary>
    public static StoreChange? Parse(string payload)
    {
        var parts = payload.Split('\t');
        if (parts.Length < 2) return null;
        foreach (var (kind, word) in Words)
            if (word == parts[0]) return new StoreChange(kind, parts[1], parts.Length > 2 ? parts[2] : null);
        return null;
    }
}
