using System.Text.Json;
using Hangar.Integration.Support;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;

namespace Hangar.Integration.Cli;

[Collection(IntegrationCollection.Name)]
public sealed class ReconcileTests
{
    private const string OneVm = """
        vms:
          alpha:
            image: tiny
            memory: 96MiB
        """;

    [Fact]
    public async Task KilledQemu_IsRestartedWithBackoff()
    {
        await using var home = new HangarHome();
        await home.OkAsync("up", home.WriteFleet(OneVm));
        var before = (await home.StatusAsync()).Vms.Single();
        QemuProcesses.Kill(before.Pid!.Value);

        var after = await Eventually.WaitAsync(async () => (await home.StatusAsync()).Vms.Single(),
            vm => vm.Restarts == 1 && vm.Phase == VmPhase.Running && vm.Health == HealthState.Healthy,
            TimeSpan.FromMinutes(2), "the killed VM to be restarted and healthy");
        Assert.NotEqual(before.Pid, after.Pid);
        Assert.Single(home.QemuPids());
        var events = (await home.OkAsync("events")).Stdout;
        Assert.Contains("vm.crashed", events);
        Assert.Contains("QEMU exited unexpectedly", events);
    }

    [Fact]
    public async Task ServerKilled_NextUpAdoptsRunningVms_NoDuplicates()
    {
        await using var home = new HangarHome();
        var file = home.WriteFleet(OneVm + "\n  beta:\n    image: tiny\n    memory: 96MiB\n");
        await home.OkAsync("up", file);
        var pids = home.QemuPids().Order().ToArray();
        Assert.Equal(2, pids.Length);

        QemuProcesses.Kill(home.ServerPid!.Value); // SIGKILL: the agent gets no chance to clean up
        await Eventually.WaitAsync(() => Task.FromResult(Hangar.Client.HangarConnection.IsAlive(home.ServerPid!.Value)), alive => !alive,
            TimeSpan.FromSeconds(10), "the server to die");
        Assert.Equal(pids, home.QemuPids().Order().ToArray()); // VMs outlive the agent

        await home.OkAsync("up", file);
        var status = await home.StatusAsync();
        Assert.Equal(pids, home.QemuPids().Order().ToArray()); // adopted: same processes, none started twice
        Assert.Equal(pids, status.Vms.Select(v => v.Pid!.Value).Order().ToArray());
        Assert.All(status.Vms, vm => Assert.Equal(0, vm.Restarts));
    }

    [Fact]
    public async Task Apply_ChangedFile_StartsNewRestartsChangedStopsRemoved()
    {
        await using var home = new HangarHome();
        await home.OkAsync("up", home.WriteFleet(OneVm + "\n  beta:\n    image: tiny\n    memory: 96MiB\n"));
        var before = await home.StatusAsync();
        var alphaPid = before.Vms.Single(v => v.Name == "alpha").Pid!.Value;

        var changed = home.WriteFleet("""
            vms:
              alpha:
                image: tiny
                memory: 160MiB
              gamma:
                image: tiny
                memory: 96MiB
            """, "changed.yaml");
        var apply = await home.OkAsync("apply", changed, "--output", "json");
        using var doc = JsonDocument.Parse(apply.Stdout);
        var plan = doc.RootElement.GetProperty("apply").Deserialize<ApplyResponse>(HangarJson.Options)!;
        Assert.Equal(2, plan.Generation);
        Assert.Equal(PlanAction.Replace, plan.Plan.Single(p => p.Vm == "alpha").Action);
        Assert.Contains("memory: 96MiB → 160MiB", plan.Plan.Single(p => p.Vm == "alpha").Changes);
        Assert.Equal(PlanAction.Delete, plan.Plan.Single(p => p.Vm == "beta").Action);
        Assert.Equal(PlanAction.Create, plan.Plan.Single(p => p.Vm == "gamma").Action);

        var after = await home.StatusAsync();
        Assert.Equal(["alpha", "gamma"], after.Vms.Select(v => v.Name).ToArray());
        var alpha = after.Vms.Single(v => v.Name == "alpha");
        Assert.NotEqual(alphaPid, alpha.Pid);
        Assert.Contains("-m 160", QemuProcesses.CommandLine(alpha.Pid!.Value));
        Assert.Equal(2, home.QemuPids().Count);
        Assert.True(Directory.Exists(Path.Combine(home.Path, "vms", "beta")), "a removed VM keeps its files unless purged");
        // Its runtime directory (sockets, pid file) goes with its QEMU; only the running VMs have one.
        Assert.Equal(["alpha", "gamma"], Directory.EnumerateDirectories(home.RuntimeDirectory).Select(d => Path.GetFileName(d)!).Order().ToArray());

        // Applying the same file again changes nothing: no new generation, no restart.
        var again = await home.OkAsync("apply", changed);
        Assert.Contains("No changes", again.Stdout);
        Assert.Equal(alpha.Pid, (await home.StatusAsync()).Vms.Single(v => v.Name == "alpha").Pid);
    }

    [Fact]
    public async Task Apply_InvalidFile_ReportsEveryErrorAndChangesNothing()
    {
        await using var home = new HangarHome();
        await home.OkAsync("up", home.WriteFleet(OneVm));
        var before = await home.StatusAsync();

        var bad = home.WriteFleet("""
            vms:
              alpha:
                image: tiny
                memory: 96
                vcpus: 2
              Beta:
                image: nothere
            """, "bad.yaml");
        var result = await home.RunAsync("apply", bad);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("bad.yaml:4:", result.Stderr);              // memory without a unit
        Assert.Contains("vms.alpha.vcpus", result.Stderr);          // unknown field, with a suggestion
        Assert.Contains("did you mean 'vcpu'", result.Stderr);
        Assert.Contains("bad.yaml:6:", result.Stderr);              // invalid name
        Assert.Contains("nothing was applied", result.Stderr);

        var after = await home.StatusAsync();
        Assert.Equal(before.Generation, after.Generation);
        Assert.Equal(before.Vms.Single().Pid, after.Vms.Single().Pid);
    }
}
