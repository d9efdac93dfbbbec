namespace Hangar.Protocol.Api;

/// <summary>One VM a drain took from agent <paramref name="From"/> to agent <paramref name="To"/>.</summary>
/// <param name="Reason">Why the move failed (and whether the VM is back on <paramref name="From"/>); null otherwise.</param>
public sealed record DrainMove(string Vm, string From, string To, DrainMoveState State, string? Reason = null);

/// <summary>Where one VM of a drain is (JSON: <c>stopping</c>, <c>starting</c>, <c>moved</c>, <c>returning</c>, <c>movedBack</c>, <c>failed</c>).</summary>
public enum DrainMoveState
{
    /// <summary>Being stopped on the drained agent (its disk stays there).</summary>
    Stopping,
    /// <summary>Placed on the new agent, which starts it afresh from its image; waiting until it is running and healthy.</summary>
    Starting,
    /// <summary>Running and healthy on the new agent (or moved stopped, when it is not meant to run).</summary>
    Moved,
    /// <summary>It did not become healthy on the new agent: being stopped there and started again on the drained agent.</summary>
    Returning,
    /// <summary>Back on the drained agent, on its own disk, running and healthy; the drain stopped.</summary>
    MovedBack,
    /// <summary>It did not stop in time (it stays where it was), or it did not come back healthy either.</summary>
    Failed,
}
