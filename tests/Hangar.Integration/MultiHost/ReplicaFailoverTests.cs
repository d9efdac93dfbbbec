using System.Text.Json;
using Hangar.Images;
using Hangar.Integration.Support;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Testing;

namespace Hangar.Integration.MultiHost;

/// <summary>
/// Two <c>hangar server --no-agent</c> replicas on one real PostgreSQL (<see cref="PostgresCluster"/>) and one real
/// <c>hangar agent</c> given both addresses, with a tiny guest under TCG whose web server comes up late, so that its
/// rollout waits in the health gate. The leader is killed with SIGKILL while the gate waits: the other replica must
/// lead within seconds, the agent must reconnect to it, and the rollout must end exactly once.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ReplicaFailoverTests(PostgresCluster postgres) : IClassFixture<PostgresCluster>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private readonly HangarHome _first = new(), _second = new(), _agentHome = new();
    private readonly PortLease _firstPort = TestPorts.Reserve(), _secondPort = TestPorts.Reserve();
    private readonly List<DaemonProcess> _processes = [];

    private string Url(PortLease port) => $"http://127.0.0.1:{port.Port}";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var process in _processes) await process.DisposeAsync();
        foreach (var home in new[] { _first, _second }) File.Delete(Hangar.Client.DaemonInfo.PathFor(home.Path)); // a killed server leaves it
        await _agentHome.DisposeAsync();
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        _firstPort.Dispose();
        _secondPort.Dispose();
    }

    private async Task<DaemonProcess> StartServerAsync(HangarHome home, PortLease port, string store)
    {
        var server = Start(home.Path, "server", "--no-agent", "--listen", Url(port), "--store", store);
        await Eventually.WaitAsync(() => Task.FromResult(home.ServerPid), pid => pid is not null || server.HasExited, Wait, "daemon.json");
        Assert.False(server.HasExited, server.ToString());
        return server;
    }

    private DaemonProcess Start(string home, params string[] args)
    {
        var process = DaemonProcess.Start(home, ["--home", home, .. args]);
        _processes.Add(process);
        return process;
    }

    private static async Task<EventEntry[]> EventsAsync(HangarHome home) =>
        (await home.OkAsync("events", "-o", "json")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize<EventEntry>(line, HangarJson.Options)!).ToArray();

    private static async Task<GenerationInfo[]> GenerationsAsync(HangarHome home) =>
        JsonSerializer.Deserialize<IReadOnlyList<GenerationInfo>>((await home.OkAsync("generations", "-o", "json")).Stdout, HangarJson.Options)!.ToArray();

    private string Logs() => string.Join("\n---\n", _processes.Select(p => p.ToString()));

    [Fact]
    public async Task Leader_KilledMidRollout_OtherReplicaLeadsAgentReconnectsAndTheRolloutEndsOnce()
    {
        var store = $"postgres:{await postgres.CreateDatabaseAsync()}";
        var first = await StartServerAsync(_first, _firstPort, store);
        var firstId = (await Eventually.WaitAsync(_first.StatusAsync, s => s.ControlPlane is { Leader: true }, Wait, "the first replica to lead")).ControlPlane!.Replica;
        var second = await StartServerAsync(_second, _secondPort, store);
        var secondStatus = await Eventually.WaitAsync(_second.StatusAsync, s => s.ControlPlane?.LeaderReplica == firstId, Wait, "the second replica to see who leads");
        Assert.False(secondStatus.ControlPlane!.Leader);
        var secondId = secondStatus.ControlPlane.Replica;

        // The agent joins through the leader and knows both replicas.
        var token = (await _first.OkAsync("token", "create", "--uses", "1")).Stdout.Trim();
        Start(_agentHome.Path, "agent", "--server", $"{Url(_firstPort)},{Url(_secondPort)}", "--join-token", token, "--name", "a1");
        await Eventually.WaitAsync(_second.StatusAsync, s => s.Agents.Any(a => a.Name == "a1" && a.Connected), Wait, "the follower to see the agent online on the leader");

        // Applied through the follower: it commits, the leader places the VM and runs the gate. The guest's web server
        // listens 40 s after boot, so the gate is still waiting when the leader dies.
        var port = _agentHome.ReservePort();
        await _second.OkAsync("apply", _second.WriteFleet($"""
            vms:
              web:
                image: tiny
                memory: 128MiB
                kernelArgs: "{TinyImage.HttpdDelayParameter}=40"
                forwards: ["{port}:80"]
                health:
                  tcp: 80
                  timeout: 240s
            """), "--no-wait", "-m", "one web server");
        var running = await Eventually.WaitAsync(_first.StatusAsync,
            s => s.Vms.SingleOrDefault() is { Phase: VmPhase.Running, Pid: not null } && s.Rollout is { Generation: 1, State: RolloutState.Running },
            TimeSpan.FromMinutes(3), "the VM to run on the agent while the leader's gate waits");
        var pid = running.Vms.Single().Pid;
        Assert.NotEqual(HealthState.Healthy, running.Vms.Single().Health);

        await first.KillAsync();

        var led = await Eventually.WaitAsync(_second.StatusAsync, s => s.ControlPlane is { Leader: true }, TimeSpan.FromSeconds(30), "the second replica to lead");
        Assert.Equal(secondId, led.ControlPlane!.LeaderReplica);
        var done = await Eventually.WaitAsync(_second.StatusAsync,
            s => s.Rollout is { Generation: 1, State: not RolloutState.Running } && s.Agents.Single().Connected,
            TimeSpan.FromMinutes(4), "the new leader to end the rollout with the agent connected to it");
        Assert.True(done.Rollout!.State == RolloutState.Succeeded, $"{done.Rollout}\n{Logs()}");
        Assert.Equal(pid, done.Vms.Single().Pid); // the same QEMU: nothing was started twice
        Assert.Equal(HealthState.Healthy, done.Vms.Single().Health);

        var generations = await GenerationsAsync(_second);
        Assert.Equal([1L], generations.Select(g => g.Number));
        Assert.True(generations[0] is { Status: GenerationState.Active, Confirmed: true }, generations[0].ToString());
        var events = await EventsAsync(_second);
        var verdicts = events.Where(e => e.Kind == "rollout" && e.Message.StartsWith("Rollout of generation 1 succeeded", StringComparison.Ordinal)).ToArray();
        Assert.Single(verdicts);
        var secondLeads = events.Single(e => e.Kind == "leader" && e.Message == $"Replica {secondId} leads the control planes");
        Assert.Contains(events, e => e.Kind == "leader" && e.Message == $"Replica {firstId} leads the control planes");
        Assert.True(secondLeads.Id < verdicts[0].Id, "the verdict came from the new leader");
        Assert.Contains(events, e => e.Kind == "rollout" && e.Message == "Resuming the rollout of generation 1 on becoming the leader");
        Assert.DoesNotContain(events, e => e.Kind == "rollout" && e.Message.Contains("failed"));
        Assert.True(await second.StopAsync() == 0, second.ToString()); // a replica stops cleanly (SIGTERM), its lock let go
    }

    [Fact]
    public async Task Follower_AgentReportsToIt_LeadersGateAndEveryReplicasStatusSeeItsReports()
    {
        var store = $"postgres:{await postgres.CreateDatabaseAsync()}";
        await StartServerAsync(_first, _firstPort, store);
        await Eventually.WaitAsync(_first.StatusAsync, s => s.ControlPlane is { Leader: true }, Wait, "the first replica to lead");
        await StartServerAsync(_second, _secondPort, store);
        await Eventually.WaitAsync(_second.StatusAsync, s => s.ControlPlane is { Leader: false, LeaderReplica: not null }, Wait, "the second replica to follow");

        // A token made on the leader, redeemed on the follower, which the agent reports to from then on.
        var token = (await _first.OkAsync("token", "create", "--uses", "1")).Stdout.Trim();
        Start(_agentHome.Path, "agent", "--server", $"{Url(_secondPort)},{Url(_firstPort)}", "--join-token", token, "--name", "a1");
        await Eventually.WaitAsync(_first.StatusAsync, s => s.Agents.Any(a => a.Name == "a1" && a.Connected), Wait, "the leader to see the agent online on the follower");

        // Applied through the leader, with --wait: its watch sees the VM converge and turn healthy from reports that
        // reached the follower, and its gate confirms the generation.
        var port = _agentHome.ReservePort();
        var applied = await _first.RunAsync("apply", _first.WriteFleet($"""
            vms:
              web:
                image: tiny
                memory: 128MiB
                kernelArgs: "{TinyImage.HttpdDelayParameter}=2"
                forwards: ["{port}:80"]
                health:
                  tcp: 80
                  timeout: 240s
            """), "-m", "one web server");
        Assert.True(applied.ExitCode == 0, $"{applied.Stdout}\n{applied.Stderr}\n{Logs()}");

        foreach (var home in new[] { _first, _second })
        {
            var status = await Eventually.WaitAsync(home.StatusAsync, s => s.Rollout is { State: RolloutState.Succeeded }, Wait, "the rollout to succeed");
            var vm = status.Vms.Single();
            Assert.True(vm is { Agent: "a1", Phase: VmPhase.Running, Health: HealthState.Healthy, Generation: 1 }, vm.ToString());
            Assert.True(vm.ObservedRevision >= vm.DesiredRevision && vm.DesiredRevision > 0, vm.ToString());
        }
        var generations = await GenerationsAsync(_first);
        Assert.True(generations.Single() is { Number: 1, Status: GenerationState.Active, Confirmed: true }, generations.Single().ToString());
        var events = await EventsAsync(_first);
        Assert.Single(events, e => e.Kind == "rollout" && e.Message.StartsWith("Rollout of generation 1 succeeded", StringComparison.Ordinal));
        Assert.Single(events, e => e.Kind == "vm.started" && e.Vm == "web"); // recorded once, by the replica the agent reports to
    }
}
