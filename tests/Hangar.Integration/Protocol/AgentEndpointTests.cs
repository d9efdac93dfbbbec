using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Hangar.ControlPlane;
using Hangar.Protocol;
using Hangar.Protocol.Agent;

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
    public async Task UnknownMessageType_IsAnsweredWithErrorAndConnectionStaysUp()
    {
        using var socket = await ConnectAsync("agent-token");
        var channel = new AgentChannel(socket);
        await channel.SendAsync(new HelloMessage("a2", "host2", "test", "tcg"), CancellationToken.None);
        await channel.ReceiveAsync(CancellationToken.None); // welcome
        await channel.ReceiveAsync(CancellationToken.None); // desired
        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"v":1,"type":"teleport","id":"x1"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        var error = Assert.IsType<ErrorMessage>(await channel.ReceiveAsync(CancellationToken.None));
        Assert.Equal("x1", error.InReplyTo);
        Assert.Equal("unknown_type", error.Code);

        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"v":2,"type":"heartbeat","id":"x2"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        var version = Assert.IsType<ErrorMessage>(await channel.ReceiveAsync(CancellationToken.None));
        Assert.Equal("unsupported_version", version.Code);

        // Still usable: an observed state is accepted and shows up in the fleet status.
        await channel.SendAsync(new ObservedStateMessage(0, 0, []), CancellationToken.None);
        await channel.SendAsync(new HeartbeatMessage(), CancellationToken.None);
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public void Messages_RoundTripWithTypeDiscriminator()
    {
        AgentMessage message = new ErrorMessage("id1", "code", "text");
        var json = JsonSerializer.Serialize(message, HangarJson.Options);
        Assert.Contains("\"type\":\"error\"", json);
        Assert.Contains("\"v\":1", json);
        Assert.Equal(message, JsonSerializer.Deserialize<AgentMessage>(json, HangarJson.Options));
    }
}
