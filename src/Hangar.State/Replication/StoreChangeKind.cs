namespace Hangar.State.Replication;

/// <summary>What one control-plane replica changed in the shared store, for the others to reload.</summary>
public enum StoreChangeKind
{
    /// <summary>Not a change: the feed (re)connected and notices may have been missed, so reload everything.</summary>
    Reset,
    /// <summary>A generation was committed or its status changed (a rollout's verdict).</summary>
    Generation,
    /// <summary>Operator state (per VM or the fleet's up/down) was replaced.</summary>
    OperatorState,
    /// <summary>The placement of VMs on agents was replaced.</summary>
    Placement,
    /// <summary>An agent row changed (joined, hello, cordon, labels, removed); <see cref="StoreChange.Subject"/> names it.</summary>
    Agents,
    /// <summary>An agent connected to the replica that sent the notice (<see cref="StoreChange.Subject"/> names it).</summary>
    AgentOnline,
    /// <summary>An agent's connection to the replica that sent the notice ended.</summary>
    AgentOffline,
    /// <summary>The replica that sent the notice wrote a report of agent <see cref="StoreChange.Subject"/> (<see cref="IObservedStore"/>).</summary>
    Observed,
    /// <summary>The replica that sent the notice appended events (<c>hangar events --follow</c> on the others reads them).</summary>
    Events,
}
