using System.Text.Json;
using Hangar.Integration.Support;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;

namespace Hangar.Integration.MultiHost;

/// <summary>
/// Placement across two real <c>hangar agent</c> processes (own homes and runtime directories) under
/// <c>hangar server --no-agent</c>: a VM pinned to a host runs there, and a plan with a VM no agent can take fails with
/// the reason and commits nothing.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class PlacementTests
{
    [Fact]
    public async Task PlanAndUp_PinnedAndUnplaceableVms_PinnedRunsOnItsHostAndUnplaceableIsRefusedWithWhy()
    {
        await using var cluster = await Cluster.StartAsync("a1", "a2");

        // Refused with the reason, by plan and by apply; nothing is committed.
        var unknownHost = cluster.Server.WriteFleet("vms:\n  web:\n    image: tiny\n    memory: 96MiB\n    placement: {host: h3}\n", "unknown.yaml");
        var plan = await cluster.Server.RunAsync("plan", unknownHost);
        Assert.True(plan.ExitCode == 1, plan.ToString());
        Assert.Contains("cannot be placed: host h3 is not known", plan.Stdout);
        var apply = await cluster.Server.RunAsync("apply", unknownHost);
        Assert.NotEqual(0, apply.ExitCode);
        Assert.Contains("host h3 is not known", apply.Stdout + apply.Stderr);
        var tooBig = cluster.Server.WriteFleet("vms:\n  big:\n    image: tiny\n    memory: 60TiB\n", "big.yaml");
        var bigPlan = await cluster.Server.RunAsync("plan", tooBig);
        Assert.True(bigPlan.ExitCode == 1, bigPlan.ToString());
        Assert.Contains("no agent with 60TiB memory free (a1: ", bigPlan.Stdout);
        Assert.Equal(0, (await cluster.Server.StatusAsync()).Generation);

        // Pinned to the agent whose name sorts last, which spread alone would not pick for a first VM.
        var pinned = cluster.Server.WriteFleet("vms:\n  web:\n    image: tiny\n    memory: 96MiB\n    placement: {host: a2}\n");
        var json = JsonSerializer.Deserialize<PlanResponse>((await cluster.Server.RunAsync("plan", pinned, "--output", "json")).Stdout, HangarJson.Options)!;
        Assert.Equal("a2", Assert.Single(json.Plan).Agent);
        await cluster.Server.OkAsync("up", pinned);

        var status = await cluster.Server.StatusAsync();
        var web = Assert.Single(status.Vms);
        Assert.True(web is { Phase: VmPhase.Running, Health: HealthState.Healthy, Agent: "a2" }, $"{web}\n{cluster.Logs()}");
        Assert.Empty(cluster.Agents[0].Home.QemuPids());
        Assert.Single(cluster.Agents[1].Home.QemuPids());
    }
}
