using System.Diagnostics;
using Hangar.Integration.Support;
using Hangar.Protocol.Agent;
using Xunit.Abstractions;

namespace Hangar.Integration.MultiHost;

/// <summary>
/// <c>hangar agent drain</c> across two real <c>hangar agent</c> processes (own homes and runtime directories, real
/// QEMU under TCG) under <c>hangar server --no-agent</c>: a movable VM with a serial health check moves from a1 to a2
/// and ends running and healthy there, with no QEMU of it left on a1; a VM that is not movable stays.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class DrainTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AgentDrain_MovableVmWithSerialCheck_EndsHealthyOnTheOtherAgent_AndANonMovableVmStays()
    {
        await using var cluster = await Cluster.StartAsync("a1", "a2");
        // Both VMs on a1: a2 takes nothing while cordoned.
        await cluster.Server.OkAsync("agent", "cordon", "a2");
        await cluster.Server.OkAsync("up", cluster.Server.WriteFleet("""
            vms:
              web:
                image: tiny
                memory: 96MiB
                health: { serial: "hangar-tiny: ready" }
                placement: { movable: true }
              db:
                image: tiny
                memory: 96MiB
            """));
        await cluster.Server.OkAsync("agent", "uncordon", "a2");
        var before = await cluster.Server.StatusAsync();
        Assert.True(before.Vms.All(v => v is { Phase: VmPhase.Running, Health: HealthState.Healthy, Agent: "a1" }), $"{string.Join("\n", before.Vms)}\n{cluster.Logs()}");
        var webPidOnA1 = Assert.Single(cluster.Agents[0].Home.QemuPids().Except([(await cluster.Server.StatusAsync()).Vms.Single(v => v.Name == "db").Pid!.Value]));

        var took = Stopwatch.StartNew();
        var drain = await cluster.Server.RunAsync("agent", "drain", "a1", "--timeout", "3m");
        output.WriteLine($"hangar agent drain a1 (one VM: stopped on a1, booted on a2 under TCG, healthy) took {took.Elapsed.TotalSeconds:F1} s");

        // db stays, so the drain is not complete: exit 1, with the summary and each step of web's move.
        Assert.True(drain.ExitCode == 1, $"{drain}\n{cluster.Logs()}");
        Assert.Contains("Agent a1 cordoned; draining 1 movable VM one at a time (staying, not movable: db)", drain.Stdout);
        Assert.Contains("web: moved to a2", drain.Stdout);
        Assert.Contains("Drain of a1 done: moved web → a2; 1 VM stays on a1: not movable: db", drain.Stdout);

        var after = await cluster.Server.StatusAsync();
        Assert.True(after.Vms.Single(v => v.Name == "web") is { Phase: VmPhase.Running, Health: HealthState.Healthy, Agent: "a2" }, $"{string.Join("\n", after.Vms)}\n{cluster.Logs()}");
        Assert.True(after.Vms.Single(v => v.Name == "db") is { Phase: VmPhase.Running, Agent: "a1" }, string.Join("\n", after.Vms));
        // web's QEMU on a1 is gone; a2 runs only web; db's QEMU on a1 ran throughout.
        Assert.DoesNotContain(webPidOnA1, cluster.Agents[0].Home.QemuPids());
        Assert.Equal([after.Vms.Single(v => v.Name == "db").Pid!.Value], cluster.Agents[0].Home.QemuPids());
        Assert.Equal([after.Vms.Single(v => v.Name == "web").Pid!.Value], cluster.Agents[1].Home.QemuPids());
        Assert.Equal(before.Vms.Single(v => v.Name == "db").Pid, after.Vms.Single(v => v.Name == "db").Pid);

        var list = (await cluster.Server.OkAsync("agent", "list")).Stdout;
        Assert.Matches(@"a1\s+online,cordoned,drain-incomplete\s", list);
        var events = (await cluster.Server.OkAsync("events")).Stdout;
        // Each step, in order, with what the agents reported: stopped on a1 before it was started on a2.
        Assert.Matches(@"agent\.drain\s+web\s+Moving from a1 to a2: stopping it on a1 \(its disk stays there\)[\s\S]*vm\.stopped\s+web\s[\s\S]*" +
            @"agent\.drain\s+web\s+Stopped on a1; starting it on a2[\s\S]*vm\.started\s+web\s[\s\S]*agent\.drain\s+web\s+Moved from a1 to a2", events);
        Assert.Matches(@"agent\.drain\s+-\s+Drain of a1 done", events);
    }
}
