using System.Text.Json;
using Hangar.Agent;
using Hangar.Agent.Health;
using Hangar.Agent.Vms;
using Hangar.Images;
using Hangar.Integration.Support;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Qemu;

namespace Hangar.Integration.Cli;

[Collection(IntegrationCollection.Name)]
public sealed class GenerationTests
{
    private const string Small = """
        vms:
          alpha:
            image: tiny
            memory: 96MiB
        """;

    private const string Bigger = """
        vms:
          alpha:
            image: tiny
            memory: 128MiB
        """;

    private const string NeverReady = """
        vms:
          alpha:
            image: tiny
            memory: 128MiB
            health:
              serial: "this line never appears"
              timeout: 8s
        """;

    private static async Task<GenerationInfo[]> GenerationsAsync(HangarHome home) =>
        JsonSerializer.Deserialize<IReadOnlyList<GenerationInfo>>((await home.OkAsync("generations", "-o", "json")).Stdout, HangarJson.Options)!.ToArray();

    private static async Task<string> YamlOfAsync(HangarHome home, long number) =>
        JsonSerializer.Deserialize<GenerationDetail>((await home.OkAsync("show", "generation", number.ToString(), "-o", "json")).Stdout, HangarJson.Options)!.Yaml;

    [Fact]
    public async Task Apply_ReadyMarkerNeverComes_RollsBackByItselfAndRecordsWhy()
    {
        await using var home = new HangarHome();
        await home.OkAsync("up", home.WriteFleet(Small));

        var result = await home.RunAsync("apply", home.WriteFleet(NeverReady, "never.yaml"), "-m", "try a new health check");
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("Generation 2 failed its health gate: VM alpha", result.Stderr);
        Assert.Contains("this line never appears", result.Stderr);
        Assert.Contains("hangar-tiny: ready", result.Stderr); // the last console lines say what the guest did do
        Assert.Contains("Rolled back automatically: generation 3 restores generation 1", result.Stderr);

        var generations = await GenerationsAsync(home);
        Assert.Equal<GenerationState>([GenerationState.Superseded, GenerationState.Failed, GenerationState.Active], generations.Select(g => g.Status).ToArray());
        Assert.Equal("try a new health check", generations[1].Message);
        Assert.Contains("did not pass", generations[1].Reason);
        Assert.Equal(1, generations[2].RollbackOf);
        Assert.Equal(await YamlOfAsync(home, 1), await YamlOfAsync(home, 3)); // the rollback's content equals its target

        var alpha = (await home.StatusAsync()).Vms.Single();
        Assert.Equal((VmPhase.Running, HealthState.Healthy), (alpha.Phase, alpha.Health));
        Assert.Contains("-m 96", QemuProcesses.CommandLine(alpha.Pid!.Value));

        // Events are recorded in the order things happened.
        var events = (await home.OkAsync("events", "-o", "json")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize<EventEntry>(line, HangarJson.Options)!).ToArray();
        Assert.Equal(events.Select(e => e.Id).Order(), events.Select(e => e.Id));
        var story = events.Where(e => e.Kind is "generation" or "rollout" or "rollback").Select(e => e.Message).SkipWhile(m => !m.StartsWith("Generation 2")).ToArray();
        Assert.StartsWith("Generation 2 committed", story[0]);
        Assert.StartsWith("Rollout of generation 2 started", story[1]);
        Assert.StartsWith("Rollout of generation 2 failed", story[2]);
        Assert.StartsWith("Automatic rollback from generation 2", story[3]);
        Assert.StartsWith("Generation 3 committed", story[4]);
        Assert.StartsWith("Rollout of generation 3 started", story[5]);
        Assert.StartsWith("Rollout of generation 3 succeeded", story[6]);

        // A VM's events name the agent that reported it, and the server filters by agent and kind.
        var agent = events.First(e => e.Kind == "vm.started").Agent;
        Assert.False(string.IsNullOrEmpty(agent));
        var started = (await home.OkAsync("events", "-o", "json", "--agent", agent!, "--kind", "vm.started")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize<EventEntry>(line, HangarJson.Options)!).ToArray();
        Assert.Equal(events.Where(e => e.Kind == "vm.started").Select(e => e.Id), started.Select(e => e.Id));
        Assert.All(started, e => Assert.Equal(agent, e.Agent));
    }

    [Fact]
    public async Task Apply_NoAutoRollback_KeepsTheFailedGenerationCurrent()
    {
        await using var home = new HangarHome();
        await home.OkAsync("up", home.WriteFleet(Small));
        var result = await home.RunAsync("apply", home.WriteFleet(NeverReady, "never.yaml"), "--no-auto-rollback");
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("Generation 2 failed its health gate", result.Stderr);
        Assert.DoesNotContain("Rolled back", result.Stderr);

        var generations = await GenerationsAsync(home);
        Assert.Equal<GenerationState>([GenerationState.Superseded, GenerationState.Failed], generations.Select(g => g.Status).ToArray());
        var status = await home.StatusAsync();
        Assert.Equal((2L, RolloutState.Failed), (status.Generation, status.Rollout!.State));
        Assert.Contains("-m 128", QemuProcesses.CommandLine(status.Vms.Single().Pid!.Value)); // the new spec runs, unhealthy
        Assert.Equal(HealthState.Unhealthy, status.Vms.Single().Health);

        // The operator decides: roll back by hand to the last good generation.
        await home.OkAsync("rollback");
        Assert.Equal<GenerationState>([GenerationState.Superseded, GenerationState.Failed, GenerationState.Active], (await GenerationsAsync(home)).Select(g => g.Status).ToArray());
    }

    [Fact]
    public async Task PlanRollbackAndExpectGeneration_WorkAsTerraformUsersExpect()
    {
        await using var home = new HangarHome();
        var small = home.WriteFleet(Small);
        var bigger = home.WriteFleet(Bigger, "bigger.yaml");
        await home.OkAsync("up", small);

        var plan = await home.RunAsync("plan", bigger);
        Assert.Equal(2, plan.ExitCode);
        Assert.Contains("-/+ alpha (replace, restarts)", plan.Stdout);
        Assert.Contains("memory: 96MiB → 128MiB", plan.Stdout);
        Assert.Equal(0, (await home.RunAsync("plan", small)).ExitCode);
        Assert.Equal(1, (await home.RunAsync("plan", home.WriteFleet("vms:\n  alpha:\n    image: nope\n", "bad.yaml"))).ExitCode);

        await home.OkAsync("apply", bigger, "-m", "more memory");
        var applied = (await GenerationsAsync(home))[1];
        Assert.Equal(("more memory", Hangar.Cli.CliGlobals.Author), (applied.Message, applied.Author));
        Assert.Matches("^[0-9a-f]{64}$", applied.ImageDigests!["tiny"]); // what the generation booted, pinned
        var conflict = await home.RunAsync("apply", small, "--expect-generation", "1");
        Assert.Equal(1, conflict.ExitCode);
        Assert.Contains("The current generation is 2, not 1", conflict.Stderr);

        await home.OkAsync("rollback");
        var generations = await GenerationsAsync(home);
        Assert.Equal<GenerationState>([GenerationState.Superseded, GenerationState.RolledBack, GenerationState.Active], generations.Select(g => g.Status).ToArray());
        Assert.Equal(1, generations[2].RollbackOf);
        Assert.Contains("no changes", (await home.OkAsync("diff", "1", "3")).Stdout);
        Assert.Contains("memory: 96MiB → 128MiB", (await home.OkAsync("diff", "1", "2")).Stdout);
        Assert.Contains("-m 96", QemuProcesses.CommandLine((await home.StatusAsync()).Vms.Single().Pid!.Value));

        await home.OkAsync("rollback", "--to", "2");
        Assert.Contains("-m 128", QemuProcesses.CommandLine((await home.StatusAsync()).Vms.Single().Pid!.Value));
        Assert.Equal(4, (await GenerationsAsync(home)).Length);
    }

    [Fact]
    public async Task ServerKilledDuringRollout_RestartResumesIt_NoPartialGeneration()
    {
        await using var home = new HangarHome();
        await home.OkAsync("up", home.WriteFleet(Small));
        var bigger = home.WriteFleet(Bigger, "bigger.yaml");
        await home.OkAsync("apply", bigger, "--no-wait");
        QemuProcesses.Kill(home.ServerPid!.Value); // SIGKILL in the middle of the rollout

        // Starting again with the same file: the current generation is exactly the new one, and its rollout goes on.
        await home.OkAsync("up", bigger);
        var generations = await GenerationsAsync(home);
        Assert.Equal([1L, 2L], generations.Select(g => g.Number).ToArray());
        Assert.Equal<GenerationState>([GenerationState.Superseded, GenerationState.Active], generations.Select(g => g.Status).ToArray());
        var status = await home.StatusAsync();
        Assert.Equal(RolloutState.Succeeded, status.Rollout!.State);
        Assert.Equal(2, status.Rollout.Generation);
        Assert.Contains("-m 128", QemuProcesses.CommandLine(status.Vms.Single().Pid!.Value));
        Assert.Single(home.QemuPids());
    }

    [Fact]
    public async Task OrphanQemu_IsStoppedAndReported()
    {
        await using var home = new HangarHome();
        var file = home.WriteFleet(Small);
        await home.OkAsync("up", file);

        // A QEMU in this home's runtime layout that no generation names (as a lost desired state would leave behind).
        var options = AgentOptions.ForHome(home.Path);
        var tiny = await new TinyImageBuilder(options.ImagesDirectory).EnsureAsync(null, CancellationToken.None);
        var paths = VmPaths.For(options, "stray");
        Directory.CreateDirectory(paths.StateDirectory);
        var config = new QemuVmConfig
        {
            Name = "stray", Accelerator = QemuAccelerator.Tcg, Vcpu = 1, MemoryMiB = 96,
            Kernel = tiny.KernelPath, Initrd = tiny.InitrdPath, KernelCommandLine = tiny.KernelCommandLine, Paths = paths.Runtime,
        };
        var identity = await QemuLauncher.LaunchAsync(config, CancellationToken.None);
        new RuntimeRecord(identity.Pid, identity.StartTime, "stray", "tcg", DateTimeOffset.UtcNow, 0, 0).Write(paths.RuntimeRecordPath);
        await using (var instance = await QemuInstance.AttachAsync(paths.Runtime, identity, CancellationToken.None))
            await instance.ContinueAsync(CancellationToken.None);
        using (var booted = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
            Assert.True(await SerialLogWatcher.WaitForAsync(paths.SerialLog, 0, tiny.ReadyMarker, booted.Token));

        await home.OkAsync("apply", file); // the agent looks for orphans whenever it gets its desired state
        await Eventually.WaitAsync(() => Task.FromResult(identity.IsAlive()), alive => !alive, TimeSpan.FromSeconds(60), "the orphan to be stopped");
        var status = await home.StatusAsync();
        Assert.Contains(status.Orphans!, o => o.Name == "stray" && o.Action == OrphanAction.Stopped && o.Pid == identity.Pid);
        Assert.Contains("Stopped an orphan QEMU", (await home.OkAsync("events")).Stdout);
        Assert.Single(home.QemuPids()); // alpha still runs
    }
}
