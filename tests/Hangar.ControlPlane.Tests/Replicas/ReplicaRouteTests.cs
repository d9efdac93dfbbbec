using Hangar.ControlPlane.Replicas;

namespace Hangar.ControlPlane.Tests.Replicas;

/// <summary>Where a VM's log or console is served among replicas (<see cref="ReplicaRoute.Decide"/>).</summary>
public sealed class ReplicaRouteTests
{
    private const string Self = "b:7601";

    [Fact]
    public void Decide_AgentConnectedHere_ServesHere()
    {
        var route = ReplicaRoute.Decide("web", "h2", connectedHere: true, mayForward: true, replicaOfAgent: "a:7600", replicaLive: true, Self);
        Assert.Equal(RouteKind.Here, route.Kind);
    }

    [Fact]
    public void Decide_AgentOnAnotherLiveReplica_ForwardsToIt()
    {
        var route = ReplicaRoute.Decide("web", "h2", connectedHere: false, mayForward: true, replicaOfAgent: "a:7600", replicaLive: true, Self);
        Assert.Equal((RouteKind.Forward, "a:7600"), (route.Kind, route.Replica));
    }

    [Fact]
    public void Decide_ForwardedRequestForAnAgentElsewhere_RefusesInsteadOfForwardingAgain()
    {
        // Replica A forwarded it here believing the agent is on B, and B believes it is on A: no second hop.
        var route = ReplicaRoute.Decide("web", "h2", connectedHere: false, mayForward: false, replicaOfAgent: "a:7600", replicaLive: true, Self);
        Assert.Equal(RouteKind.Refuse, route.Kind);
        Assert.Equal("VM web is on agent h2, which is not connected to replica b:7601 (a forwarded request is not forwarded again).", route.Message);
    }

    [Fact]
    public void Decide_AgentsReplicaGone_RefusesNamingIt()
    {
        var route = ReplicaRoute.Decide("web", "h2", connectedHere: false, mayForward: true, replicaOfAgent: "a:7600", replicaLive: false, Self);
        Assert.Equal(RouteKind.Refuse, route.Kind);
        Assert.StartsWith("VM web runs on agent h2, connected to replica a:7600, which is not running", route.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Self)]
    public void Decide_AgentConnectedNowhereElse_RefusesAsDisconnected(string? replica)
    {
        var route = ReplicaRoute.Decide("web", "h2", connectedHere: false, mayForward: true, replicaOfAgent: replica, replicaLive: true, Self);
        Assert.Equal((RouteKind.Refuse, "VM web is on agent h2, which is not connected."), (route.Kind, route.Message));
    }

    [Fact]
    public void Unreachable_NamesVmAgentReplicaAndWhy()
    {
        Assert.Equal("VM web runs on agent h2, connected to replica a:7600 (http://a:7600/), which does not answer: Connection refused",
            ReplicaRoute.Unreachable("web", "h2", "a:7600", "http://a:7600/", "Connection refused"));
    }
}
