using Hangar.ControlPlane.Fleet;
using Hangar.Spec;

namespace Hangar.ControlPlane.Tests.Fleet;

public sealed class SchedulerTests
{
    private static FleetSpec Spec(params string[] vms)
    {
        var yaml = "vms:\n" + string.Concat(vms.Select(v => $"  {v}:\n    image: tiny\n"));
        var parsed = FleetParser.Parse(yaml, "fleet.yaml", "/");
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        return parsed.Spec!;
    }

    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    [Fact]
    public void Place_VmWithAKnownAgent_StaysThereEvenWhenThatAgentIsNotEligible()
    {
        var previous = new Dictionary<string, string> { ["web"] = "b" };

        var placement = Scheduler.Place(Spec("web"), previous, new HashSet<string> { "a", "b" }, ["a"]);

        Assert.Equal("b", placement["web"]);
    }

    [Fact]
    public void Place_VmWhoseAgentIsGone_GoesToAnEligibleOne()
    {
        var previous = new Dictionary<string, string> { ["web"] = "gone" };

        var placement = Scheduler.Place(Spec("web"), previous, new HashSet<string> { "a", "b" }, ["a"]);

        Assert.Equal("a", placement["web"]);
    }

    [Fact]
    public void Place_NoEligibleAgent_LeavesNewVmsUnplacedAndForgetsRemovedOnes()
    {
        var previous = new Dictionary<string, string> { ["web"] = "a", ["removed"] = "a" };

        var placement = Scheduler.Place(Spec("web", "db"), previous, new HashSet<string> { "a" }, []);

        Assert.Equal(new Dictionary<string, string> { ["web"] = "a" }, placement);
    }

    [Fact]
    public void Place_NewVms_SpreadOverEligibleAgentsAsWithNoHistory()
    {
        var spec = Spec("v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8");

        var placement = Scheduler.Place(spec, None, new HashSet<string> { "a", "b", "c" }, ["a", "b", "c"]);

        Assert.Equal(Scheduler.Place(spec, ["a", "b", "c"]), placement);
        Assert.True(placement.Values.Distinct().Count() > 1, "every VM landed on one agent");
    }
}
