using Hangar.Cli.Output;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Tests.Output;

/// <summary>The STATE column of <c>hangar agent list</c>: cordon and drain words.</summary>
public sealed class AgentViewTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static AgentInfo Agent(bool cordoned, AgentDrainState? drain) =>
        new("a1", AgentState.Online, cordoned, new Dictionary<string, string>(), "h", "tcg", "0.9.0", 2, 1L << 30, 0, 0, [], At, At,
            drain is { } state ? new AgentDrainInfo(state, At, null, TimeSpan.FromMinutes(5), [], [], new Dictionary<string, string>()) : null);

    [Theory]
    [InlineData(false, null, "online")]
    [InlineData(true, null, "online,cordoned")]
    [InlineData(true, AgentDrainState.Draining, "online,draining")]
    [InlineData(true, AgentDrainState.Drained, "online,cordoned,drained")]
    [InlineData(true, AgentDrainState.Incomplete, "online,cordoned,drain-incomplete")]
    [InlineData(true, AgentDrainState.Failed, "online,cordoned,drain-failed")]
    [InlineData(true, AgentDrainState.Interrupted, "online,cordoned,drain-interrupted")]
    [InlineData(true, AgentDrainState.Cancelled, "online,cordoned")]
    [InlineData(false, AgentDrainState.Cancelled, "online")] // uncordoned: the drain it ended is not news in the list
    public void State_CordonAndDrain_SaysBoth(bool cordoned, AgentDrainState? drain, string expected) =>
        Assert.Equal(expected, AgentView.State(Agent(cordoned, drain)));
}
