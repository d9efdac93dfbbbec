namespace Hangar.Protocol.Api;

/// <summary>
/// An agent's drain (<c>hangar agent drain</c>), as <see cref="AgentInfo.Drain"/> reports it: the agent is cordoned, and its
/// <c>placement.movable</c> VMs are moved to other agents one at a time, each stopped here, started there and waited
/// for until it is running and healthy there.
/// </summary>
/// <param name="State">Where the drain is.</param>
/// <param name="Timeout">How long each VM may take to stop on this agent and become healthy on its new one.</param>
/// <param name="Moves">The VMs taken so far, in the order they were taken (the last one may be under way).</param>
/// <param name="NotMovable">VMs that stay: their placement is not <c>movable</c>.</param>
/// <param name="Unplaceable">VMs that stay because no other agent can take them, with the scheduler's reason.</param>
/// <param name="Reason">Why the drain failed or was cancelled; null otherwise.</param>
public sealed record AgentDrainInfo(
    AgentDrainState State,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    TimeSpan Timeout,
    IReadOnlyList<DrainMove> Moves,
    IReadOnlyList<string> NotMovable,
    IReadOnlyDictionary<string, string> Unplaceable,
    string? Reason = null)
{
    /// <summary>
    /// One line, as the drain's last event and <c>hangar agent drain</c> end with it: <c>Drain of a1 done: moved web-1
    /// → a2; 2 VMs stay on a1: not movable: db-1; nowhere to go: big (no agent with 8GiB memory free (a2: 2GiB free))</c>.
    /// </summary>
    public string Summary(string agent)
    {
        var head = State switch
        {
            AgentDrainState.Draining => $"Drain of {agent} under way",
            AgentDrainState.Drained => $"Drain of {agent} done (no VM left on it)",
            AgentDrainState.Incomplete => $"Drain of {agent} done",
            AgentDrainState.Failed => $"Drain of {agent} failed: {Reason}",
            AgentDrainState.Interrupted => $"Drain of {agent} interrupted: {Reason}",
            _ => $"Drain of {agent} cancelled: {Reason}",
        };
        var parts = new List<string>();
        var moved = Moves.Where(m => m.State == DrainMoveState.Moved).Select(m => $"{m.Vm} → {m.To}").ToArray();
        if (moved.Length > 0) parts.Add("moved " + string.Join(", ", moved));
        var back = Moves.Where(m => m.State is DrainMoveState.MovedBack or DrainMoveState.Failed).Select(m => m.Vm).ToArray();
        var stay = NotMovable.Count + Unplaceable.Count + back.Length;
        if (stay > 0)
        {
            var why = new List<string>();
            if (NotMovable.Count > 0) why.Add("not movable: " + string.Join(", ", NotMovable));
            if (Unplaceable.Count > 0) why.Add("nowhere to go: " + string.Join(", ", Unplaceable.Select(u => $"{u.Key} ({u.Value})")));
            if (back.Length > 0) why.Add("not moved: " + string.Join(", ", back));
            parts.Add($"{stay} {(stay == 1 ? "VM stays" : "VMs stay")} on {agent}: {string.Join("; ", why)}");
        }
        if (parts.Count == 0) return head;
        var rest = string.Join("; ", parts);
        // After a reason the rest is a sentence of its own.
        return State is AgentDrainState.Failed or AgentDrainState.Cancelled or AgentDrainState.Interrupted
            ? $"{head}. {char.ToUpperInvariant(rest[0])}{rest[1..]}"
            : $"{head}: {rest}";
    }
}

/// <summary>Where a drain is (JSON: <c>draining</c>, <c>drained</c>, <c>incomplete</c>, <c>failed</c>, <c>cancelled</c>, <c>interrupted</c>).</summary>
public enum AgentDrainState
{
    /// <summary>Moving VMs, one at a time.</summary>
    Draining,
    /// <summary>Done: no VM is left on the agent.</summary>
    Drained,
    /// <summary>Done, but VMs stay on the agent: not movable, or no other agent can take them.</summary>
    Incomplete,
    /// <summary>A VM did not stop here or did not become healthy on its new agent in time; the drain stopped there.</summary>
    Failed,
    /// <summary>Ended before it was done: the agent was uncordoned or removed.</summary>
    Cancelled,
    /// <summary>The control plane stopped while it was under way (found so at the next start); running it again moves what is left.</summary>
    Interrupted,
}
