using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Hangar.ControlPlane;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;

namespace Hangar.Integration.Protocol;

/// <summary>The control plane's /agent/ws endpoint over a real WebSocket on loopback, with a hand-driven agent.</summary>
public sealed class AgentEndpointTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hcp-").FullName;
    private ControlPlaneServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ControlPlaneServer.StartAsync(new ControlPlaneOptions(ControlPlaneOptions.DefaultListen,
            Path.Combine(_dir, "state.db"), "api-token", "agent-token"), null, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<ClientWebSocket> ConnectAsync(string token)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        await socket.ConnectAsync(_server.AgentUrl, CancellationToken.None);
        return socket;
    }

    [Fact]
    public async Task Connect_WrongCredential_IsRefused()
    {
        var error = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync("wrong"));
        Assert.Contains("401", error.Message);
    }

    [Fact]
    public async Task Hello_GetsWelcomeThenEmptyDesiredState()
    {
        using var socket = await ConnectAsync("agent-token");
        var channel = new AgentChannel(socket);
        await channel.SendAsync(new HelloMessage("a1", "host1", "test", "tcg"), CancellationToken.None);
        Assert.IsType<WelcomeMessage>(await channel.ReceiveAsync(CancellationToken.None));
        var desired = Assert.IsType<DesiredStateMessage>(await channel.ReceiveAsync(CancellationToken.None));
        Assert.Empty(desired.Vms);
        Assert.Equal(0, desired.Generation);
    }

    [Fact]
    public async Task UnknownMessageType_IsAnsweredWithError_ConnectionStaysUpAndItsReportShowsInTheFleetStatus()
    {
        using var socket = await ConnectAsync("agent-token");
        var channel = new AgentChannel(socket);
        await channel.SendAsync(new HelloMessage("a2", "host2", "test", "tcg"), CancellationToken.None);
        await channel.ReceiveAsync(CancellationToken.None); // welcome
        await channel.ReceiveAsync(CancellationToken.None); // desired
        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"v":2,"type":"teleport","id":"x1"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        var error = Assert.IsType<ErrorMessage>(await channel.ReceiveAsync(CancellationToken.None));
        Assert.Equal("x1", error.InReplyTo);
        Assert.Equal("unknown_type", error.Code);

        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"v":99,"type":"heartbeat","id":"x2"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        var version = Assert.IsType<ErrorMessage>(await channel.ReceiveAsync(CancellationToken.None));
        Assert.Equal("unsupported_version", version.Code);

        // Still usable: an observed state sent after the errors is taken, and the fleet status shows the agent,
        // connected, with what it reported (an orphan is the one thing an empty fleet's status shows of a report).
        await channel.SendAsync(new ObservedStateMessage(0, 0, [], [new ObservedOrphan("stray", 4242, OrphanAction.Kept)]), CancellationToken.None);
        var status = await StatusWhenAsync(s => s.Orphans is { Count: > 0 });
        var agent = Assert.Single(status.Agents);
        Assert.Equal(("a2", "host2", true, "tcg"), (agent.Name, agent.HostName, agent.Connected, agent.Accelerator));
        Assert.NotNull(agent.LastSeen);
        Assert.Equal(new OrphanInfo("a2", "stray", 4242, OrphanAction.Kept), Assert.Single(status.Orphans!));
        await channel.SendAsync(new HeartbeatMessage(), CancellationToken.None);
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task Disconnect_AgentStaysInTheFleetStatusAsNotConnected()
    {
        using (var socket = await ConnectAsync("agent-token"))
        {
            var channel = new AgentChannel(socket);
            await channel.SendAsync(new HelloMessage("a3", "host3", "test", "tcg"), CancellationToken.None);
            await channel.ReceiveAsync(CancellationToken.None); // welcome
            await channel.ReceiveAsync(CancellationToken.None); // desired
            Assert.True(Assert.Single(_server.Fleet.Status().Agents).Connected);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        }

        var agent = Assert.Single((await StatusWhenAsync(s => s.Agents.All(a => !a.Connected))).Agents);
        Assert.Equal(("a3", "host3"), (agent.Name, agent.HostName));
    }

    /// <summary>The fleet status once <paramref name="done"/> holds, woken by each change the server makes to it.</summary>
    private async Task<FleetStatus> StatusWhenAsync(Func<FleetStatus, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var changed = _server.Fleet.WhenChangedAsync(timeout.Token);
            var status = _server.Fleet.Status();
            if (done(status)) return status;
            try
            {
                await changed;
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The fleet status did not change as expected within 30 s; agents: {string.Join(", ", status.Agents)}");
            }
        }
    }

    [Fact]
    public void Messages_RoundTripWithTypeDiscriminator()
    {
        AgentMessage message = new ErrorMessage("id1", "code", "text");
        var json = JsonSerializer.Serialize(message, HangarJson.Options);
        Assert.Contains("\"type\":\"error\"", json);
        Assert.Contains("\"v\":2", json);
        Assert.Equal(message, JsonSerializer.Deserialize<AgentMessage>(json, HangarJson.Options));
    }
}
