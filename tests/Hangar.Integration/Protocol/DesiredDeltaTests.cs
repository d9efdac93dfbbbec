using System.Net.WebSockets;
using Hangar.ControlPlane;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Delta;
using Hangar.Protocol.Api;

namespace Hangar.Integration.Protocol;

/// <summary>
/// Desired state as a snapshot then deltas (agent protocol v3), over a real WebSocket on loopback with a hand-driven
/// agent: what travels after an operator action, and a lost delta repaired by a resync.
/// </summary>
public sealed class DesiredDeltaTests : IAsyncLifetime
{
    private const string Fleet = "vms:\n  a:\n    image: tiny\n  b:\n    image: tiny\n  c:\n    image: tiny\n";
    private readonly string _dir = Directory.CreateTempSubdirectory("hcp-").FullName;
    private ControlPlaneServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ControlPlaneServer.StartAsync(new ControlPlaneOptions(ControlPlaneOptions.DefaultListen,
            Path.Combine(_dir, "state.db"), "api-token"), null, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task VmRestart_AfterTheSnapshot_SendsOneDeltaWithThatVmOnly()
    {
        var (socket, channel, snapshot) = await ConnectAsync("a1");
        using var _ = socket;
        Assert.Empty(snapshot.Vms);

        await _server.Fleet.ApplyAsync(new ApplyRequest("fleet.yaml", Fleet, null, null, StartStopped: false), CancellationToken.None);
        var created = await NextDesiredAsync<DesiredDeltaMessage>(channel);
        Assert.Equal(snapshot.Revision, created.BaseRevision);
        Assert.Equal(["a", "b", "c"], created.Changed.Select(v => v.Spec.Name).Order());

        await _server.Fleet.SetVmAsync("b", VmOperation.Restart, CancellationToken.None);
        var restart = await NextDesiredAsync<DesiredDeltaMessage>(channel);
        Assert.Equal(created.Revision, restart.BaseRevision);
        var vm = Assert.Single(restart.Changed);
        Assert.Equal(("b", 1L), (vm.Spec.Name, vm.RestartNonce));
        Assert.Empty(restart.Removed);
        Assert.False(restart.More);
    }

    [Fact]
    public async Task DeltaLost_AgentAsksForASnapshot_GetsItAndConverges()
    {
        var (socket, channel, snapshot) = await ConnectAsync("a2");
        using var _ = socket;
        var assembler = new DesiredStateAssembler(new DesiredStateMessage(0, 0, [], false));
        Assert.IsType<DesiredStep.Apply>(assembler.Receive(snapshot));
        await _server.Fleet.ApplyAsync(new ApplyRequest("fleet.yaml", Fleet, null, null, StartStopped: false), CancellationToken.None);
        Assert.IsType<DesiredStep.Apply>(assembler.Receive(await NextDesiredAsync<DesiredDeltaMessage>(channel)));

        await _server.Fleet.SetVmAsync("a", VmOperation.Restart, CancellationToken.None);
        await NextDesiredAsync<DesiredDeltaMessage>(channel); // lost: never given to the assembler
        await _server.Fleet.SetVmAsync("c", VmOperation.Restart, CancellationToken.None);
        var gap = Assert.IsType<DesiredStep.Resync>(assembler.Receive(await NextDesiredAsync<DesiredDeltaMessage>(channel)));
        await channel.SendAsync(new ResyncMessage(gap.HaveRevision, gap.Reason), CancellationToken.None);

        var resent = await NextDesiredAsync<DesiredStateMessage>(channel);
        var applied = Assert.IsType<DesiredStep.Apply>(assembler.Receive(resent));
        Assert.Equal([("a", 1L), ("b", 0L), ("c", 1L)], applied.State.Vms.Select(v => (v.Spec.Name, v.RestartNonce)).Order());

        // The agent runs what the snapshot says and reports it whole: every VM has converged.
        var running = applied.State.Vms.Select(v => new ObservedVm(v.Spec.Name, VmPhase.Running, null, HealthState.Healthy, "tcg", 1, [], null, 0, null,
            applied.State.Generation, applied.State.Revision)).ToArray();
        await channel.SendAsync(new ObservedStateMessage(applied.State.Generation, applied.State.Revision, running), CancellationToken.None);
        var status = await StatusWhenAsync(s => s.Vms.Count == 3 && s.Vms.All(v => v.Phase == VmPhase.Running));
        Assert.All(status.Vms, v => Assert.True(v.ObservedRevision >= v.DesiredRevision && v.DesiredRevision > 0, $"{v.Name}: {v.ObservedRevision} < {v.DesiredRevision}"));
    }

    private async Task<(ClientWebSocket, AgentChannel, DesiredStateMessage)> ConnectAsync(string name)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + await _server.IssueLocalAgentCredentialAsync(name, CancellationToken.None));
        await socket.ConnectAsync(_server.AgentUrl, CancellationToken.None);
        var channel = new AgentChannel(socket);
        await channel.SendAsync(new HelloMessage(name, "host", "test", "tcg"), CancellationToken.None);
        Assert.IsType<WelcomeMessage>(await channel.ReceiveAsync(CancellationToken.None));
        return (socket, channel, await NextDesiredAsync<DesiredStateMessage>(channel));
    }

    /// <summary>The next desired-state frame, which must be a <typeparamref name="T"/> (anything else but a desired frame is skipped).</summary>
    private static async Task<T> NextDesiredAsync<T>(AgentChannel channel) where T : AgentMessage
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var message = await channel.ReceiveAsync(timeout.Token);
            if (message is DesiredStateMessage or DesiredDeltaMessage) return Assert.IsType<T>(message);
            Assert.NotNull(message);
        }
    }

    private async Task<FleetStatus> StatusWhenAsync(Func<FleetStatus, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var changed = _server.Fleet.WhenChangedAsync(timeout.Token);
            var status = _server.Fleet.Status();
            if (done(status)) return status;
            await changed;
        }
    }
}
