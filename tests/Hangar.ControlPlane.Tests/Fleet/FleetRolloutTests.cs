using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.State;
using Hangar.State.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.ControlPlane.Tests.Fleet;

/// <summary>
/// A generation's way through the health gate, end to end inside the control plane (ledger, rollout runner, intake,
/// status view) on a real SQLite file. The agent is played by hand: a registered session whose reports the test
/// writes, so every verdict comes from the runner watching real status changes.
/// </summary>
public sealed class FleetRolloutTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hfr-").FullName;
    private SqliteStateStore _store = null!;
    private SqliteAgentStore _agentStore = null!;
    private FleetService _fleet = null!;
    private AgentSession _agent = null!;

    public async Task InitializeAsync()
    {
        _store = await SqliteStateStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        _agentStore = await SqliteAgentStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        _fleet = new FleetService(_store, _agentStore, NullLogger<FleetService>.Instance);
        await _fleet.InitializeAsync(CancellationToken.None);
        _agent = await PlayedAgent.ConnectAsync(_fleet, "host-a");
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _store.DisposeAsync();
        await _agentStore.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static ApplyRequest File(string memory) => new("fleet.yaml", $"""
        vms:
          web:
            image: tiny
            memory: {memory}
        """, null, null, false);

    private void Report(ApplyResponse applied, VmPhase phase, HealthState health, string? lastError = null) =>
        _fleet.ObservedReceived(_agent, new ObservedStateMessage(applied.Generation, applied.Revision,
        [
            new ObservedVm("web", phase, null, health, "tcg", 4242, [], lastError, 0, DateTimeOffset.UtcNow,
                applied.Generation, applied.Revision, ImageDigest: "sha256:0123"),
        ]));

    /// <summary>The status once <paramref name="done"/> holds, woken by the fleet's change signal.</summary>
    private async Task<FleetStatus> StatusWhenAsync(Func<FleetStatus, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var changed = _fleet.WhenChangedAsync(timeout.Token);
            var status = _fleet.Status();
            if (done(status)) return status;
            await changed;
        }
    }

    private async Task<ApplyResponse> ApplyConfirmedAsync(string memory)
    {
        var applied = await _fleet.ApplyAsync(File(memory), CancellationToken.None);
        Report(applied, VmPhase.Running, HealthState.Healthy);
        await StatusWhenAsync(s => s.Rollout is { State: RolloutState.Succeeded } r && r.Generation == applied.Generation);
        return applied;
    }

    [Fact]
    public async Task Apply_AgentReportsHealthyAtNewRevision_ConfirmsGenerationAndPinsDigest()
    {
        var applied = await _fleet.ApplyAsync(File("128MiB"), CancellationToken.None);
        var rolling = _fleet.Status();
        Assert.Equal(RolloutState.Running, rolling.Rollout!.State);
        Assert.Equal(["web"], rolling.Rollout.Waiting);
        Assert.Equal("host-a", Assert.Single(rolling.Vms).Agent);

        Report(applied, VmPhase.Running, HealthState.Healthy);
        var done = await StatusWhenAsync(s => s.Rollout?.State != RolloutState.Running);

        Assert.Equal(RolloutState.Succeeded, done.Rollout!.State);
        Assert.Empty(done.Rollout.Waiting);
        var record = (await _store.GetGenerationAsync(applied.Generation, CancellationToken.None))!;
        Assert.True(record.Confirmed);
        Assert.Equal(GenerationStatus.Active, record.Status);
        Assert.Contains("\"tiny\":\"sha256:0123\"", record.ImageDigests);
    }

    [Fact]
    public async Task Apply_ChangedVmFailsToStart_RollsBackToLastConfirmed()
    {
        await ApplyConfirmedAsync("128MiB");
        var second = await _fleet.ApplyAsync(File("256MiB"), CancellationToken.None);
        Assert.Equal(["web"], _fleet.Status().Rollout!.Waiting);

        Report(second, VmPhase.Failed, HealthState.Unknown, lastError: "QEMU exited with status 1");
        await StatusWhenAsync(s => s.Generation == 3);

        var failed = (await _store.GetGenerationAsync(2, CancellationToken.None))!;
        Assert.Equal(GenerationStatus.Failed, failed.Status);
        Assert.Contains("VM web: it could not start: QEMU exited with status 1", failed.Reason);
        var rollback = (await _store.GetGenerationAsync(3, CancellationToken.None))!;
        Assert.Equal(1, rollback.RollbackOf);
        Assert.Equal("auto-rollback", rollback.Source);
        Assert.Equal(Hangar.Spec.ByteSize.FromMiB(128).Bytes, _fleet.DesiredFor("host-a").Vms.Single().Spec.MemoryBytes);
    }

    [Fact]
    public async Task Down_DuringRollout_CancelsTheGateAndLeavesGenerationUnconfirmed()
    {
        var applied = await _fleet.ApplyAsync(File("128MiB"), CancellationToken.None);
        await _fleet.DownAsync(purge: false, CancellationToken.None);

        // A report after down must not bring the cancelled gate back to life.
        Report(applied, VmPhase.Stopped, HealthState.Unknown);
        var status = _fleet.Status();
        Assert.Equal(RolloutState.Cancelled, status.Rollout!.State);
        Assert.Empty(status.Rollout.Waiting);
        Assert.False(status.Active);
        Assert.False(_fleet.DesiredFor("host-a").Vms.Single().Running);
        var record = (await _store.GetGenerationAsync(applied.Generation, CancellationToken.None))!;
        Assert.Equal(GenerationStatus.Active, record.Status);
        Assert.False(record.Confirmed);
    }

    [Fact]
    public async Task Rollouts_SucceededSupersededAndDowned_AreCountedByOutcomeWithTheirDurations()
    {
        await ApplyConfirmedAsync("128MiB");
        Assert.Equal(1, _fleet.Metrics.Rollouts.Value("succeeded"));
        Assert.Equal(1, _fleet.Metrics.RolloutDuration.Count("succeeded"));

        await _fleet.ApplyAsync(File("256MiB"), CancellationToken.None);
        var third = await _fleet.ApplyAsync(File("512MiB"), CancellationToken.None); // supersedes the second's gate
        await CountedAsync("cancelled", 1);
        Report(third, VmPhase.Running, HealthState.Healthy);
        await StatusWhenAsync(s => s.Rollout is { State: RolloutState.Succeeded } r && r.Generation == third.Generation);
        Assert.Equal(2, _fleet.Metrics.Rollouts.Value("succeeded"));

        await _fleet.ApplyAsync(File("1GiB"), CancellationToken.None);
        await _fleet.DownAsync(purge: false, CancellationToken.None);
        await CountedAsync("cancelled", 2);
        Assert.Equal(0, _fleet.Metrics.Rollouts.Value("failed"));
        Assert.Equal(2, _fleet.Metrics.RolloutDuration.Count("cancelled"));

        var writer = new Hangar.Metrics.ExpositionWriter();
        _fleet.Metrics.Collect(writer);
        var text = writer.ToString();
        Assert.Contains("hangar_rollouts_total{outcome=\"cancelled\"} 2\n", text);
        Assert.Contains("hangar_vms{phase=\"running\"} 1\n", text);
        Assert.Contains("hangar_agents_connected 1\n", text);
        Assert.Contains("hangar_generation 4\n", text);
    }

    /// <summary>
    /// Waits for the runner to count a cancelled gate: it counts as its task ends, after the call that cancelled it
    /// returned, and nothing signals that; so this polls (every 10 ms, for at most 10 s).
    /// </summary>
    private async Task CountedAsync(string outcome, double count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_fleet.Metrics.Rollouts.Value(outcome) < count && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(count, _fleet.Metrics.Rollouts.Value(outcome));
    }
}
