namespace Hangar.ControlPlane.Replicas;

/// <summary>Where a request about one VM's serial log or console is served.</summary>
internal enum RouteKind
{
    /// <summary>Here: the VM's agent is connected to this replica.</summary>
    Here,
    /// <summary>By the replica the agent is connected to (<see cref="ReplicaRoute.Replica"/>).</summary>
    Forward,
    /// <summary>Nowhere; <see cref="ReplicaRoute.Message"/> says why.</summary>
    Refuse,
}

/// <summary>
/// The routing decision for a VM's log or console (pure, unit-tested): served here when its agent is connected here,
/// forwarded to the replica its agent is connected to when that one is alive, refused otherwise. A request that
/// another replica forwarded is never forwarded again (<paramref name="MayForward"/> false), so a forward cannot loop,
/// whatever two replicas believe about an agent that is moving between them.
/// </summary>
internal sealed record ReplicaRoute(RouteKind Kind, string? Replica = null, string? Message = null)
{
    /// <param name="vm">The VM asked about.</param>
    /// <param name="agent">The agent that reports it.</param>
    /// <param name="connectedHere">Whether that agent's connection is to this replica.</param>
    /// <param name="mayForward">False for a request another replica forwarded here.</param>
    /// <param name="replicaOfAgent">The other replica the agent is connected to, as its notices said; null for none.</param>
    /// <param name="replicaLive">Whether that replica's database session is alive.</param>
    /// <param name="self">This replica's id.</param>
    public static ReplicaRoute Decide(string vm, string agent, bool connectedHere, bool mayForward, string? replicaOfAgent, bool replicaLive, string self)
    {
        if (connectedHere) return new ReplicaRoute(RouteKind.Here);
        if (!mayForward)
            return new ReplicaRoute(RouteKind.Refuse, Message: $"VM {vm} is on agent {agent}, which is not connected to replica {self} (a forwarded request is not forwarded again).");
        if (replicaOfAgent is null || replicaOfAgent == self)
            return new ReplicaRoute(RouteKind.Refuse, Message: $"VM {vm} is on agent {agent}, which is not connected.");
        if (!replicaLive)
            return new ReplicaRoute(RouteKind.Refuse, replicaOfAgent,
                $"VM {vm} runs on agent {agent}, connected to replica {replicaOfAgent}, which is not running (its database session ended); the agent reconnects to another replica.");
        return new ReplicaRoute(RouteKind.Forward, replicaOfAgent);
    }

    /// <summary>The message for a forward to <paramref name="replica"/> that failed: <paramref name="why"/>.</summary>
    public static string Unreachable(string vm, string agent, string replica, string? url, string why) =>
        $"VM {vm} runs on agent {agent}, connected to replica {replica}{(url is null ? "" : $" ({url})")}, which does not answer: {why}";
}
