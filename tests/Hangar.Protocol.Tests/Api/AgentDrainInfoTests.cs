using Hangar.Protocol.Api;

namespace Hangar.Protocol.Tests.Api;

/// <summary>The one-line summary a drain ends with (its last event, the end of <c>hangar agent drain</c>), golden text.</summary>
public sealed class AgentDrainInfoTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static AgentDrainInfo Drain(AgentDrainState state, IReadOnlyList<DrainMove> moves, IReadOnlyList<string>? notMovable = null,
        IReadOnlyDictionary<string, string>? unplaceable = null, string? reason = null) =>
        new(state, At, At, TimeSpan.FromMinutes(5), moves, notMovable ?? [], unplaceable ?? new Dictionary<string, string>(), reason);

    [Fact]
    public void Summary_EveryVmMoved_SaysDrainedAndWhere() =>
        Assert.Equal("Drain of a1 done (no VM left on it): moved web-1 → a2, web-2 → a3",
            Drain(AgentDrainState.Drained, [new("web-1", "a1", "a2", DrainMoveState.Moved), new("web-2", "a1", "a3", DrainMoveState.Moved)]).Summary("a1"));

    [Fact]
    public void Summary_VmsThatStay_CountsThemWithWhy() =>
        Assert.Equal("Drain of a1 done: moved web → a2; 3 VMs stay on a1: not movable: db-1, db-2; nowhere to go: big (no agent with 8GiB memory free (a2: 2GiB free))",
            Drain(AgentDrainState.Incomplete, [new("web", "a1", "a2", DrainMoveState.Moved)], ["db-1", "db-2"],
                new Dictionary<string, string> { ["big"] = "no agent with 8GiB memory free (a2: 2GiB free)" }).Summary("a1"));

    [Fact]
    public void Summary_FailedDrain_GivesTheReasonFirstAndTheVmThatCameBack() =>
        Assert.Equal("Drain of a1 failed: VM web-2 did not become healthy on a3 and is back on a1. Moved web-1 → a2; 1 VM stays on a1: not moved: web-2",
            Drain(AgentDrainState.Failed, [new("web-1", "a1", "a2", DrainMoveState.Moved), new("web-2", "a1", "a3", DrainMoveState.MovedBack, "unhealthy")],
                reason: "VM web-2 did not become healthy on a3 and is back on a1").Summary("a1"));

    [Fact]
    public void Summary_Interrupted_SaysSo() =>
        Assert.Equal("Drain of a1 interrupted: the control plane stopped",
            Drain(AgentDrainState.Interrupted, [], reason: "the control plane stopped").Summary("a1"));
}
