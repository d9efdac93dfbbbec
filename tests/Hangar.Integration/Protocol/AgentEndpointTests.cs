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
            Path.Combine(_dir, "state.db"), "api-token"), null, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Connects as the agent <paramref name="name"/>, with a credential the server issues for it.</summary>
    private async Task<ClientWebSocket> ConnectAsAsync(string name) =>
        await ConnectAsync(await _server.IssueLocalAgentCredentialAsync(name, CancellationToken.None));

    private async Task<ClientWebSocket> ConnectAsync(string token)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        await socket.ConnectAsync(_server.AgentUrl, CancellationToken.None);
        return socket;
    }

    [Fact]
    public async Task Connect_WrongCredential_IsRefusedSayingWhy()
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer hac_" + new string('0', 64));
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(_server.AgentUrl, CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        Assert.Contains("unknown or revoked", socket.HttpResponseHeaders!["X-Hangar-Refused"].Single());
    }

    [Fact]
    public async Task Connect_CredentialReplacedByANewOne_IsRefused()
    {
        var old = await _server.IssueLocalAgentCredentialAsync("a4", CancellationToken.None);
        await _server.IssueLocalAgentCredentialAsync("a4", CancellationToken.None);

        var error = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(old));
        Assert.Contains("401", error.Message);
    }

    [Fact]
    public async Task SecondConnection_SameCredential_ReplacesTheFirst()
    {
        var credential = await _server.IssueLocalAgentCredentialAsync("a5", CancellationToken.None);
        using var first = await ConnectAsync(credential);
        var firstChannel = new AgentChannel(first);
        await firstChannel.SendAsync(new HelloMessage("a5", "host5", "test", "tcg"), CancellationToken.None);
        await firstChannel.ReceiveAsync(CancellationToken.None); // welcome
        await firstChannel.ReceiveAsync(CancellationToken.None); // desired

        using var second = await ConnectAsync(credential);
        var channel = new AgentChannel(second);
        await channel.SendAsync(new HelloMessage("a5", "host5b", "test", "tcg"), CancellationToken.None);
        Assert.IsType<WelcomeMessage>(await channel.ReceiveAsync(CancellationToken.None));

        // The first connection ends (its reads fail or see the close); the agent stays connected through the second.
        Assert.True(await EndsAsync(firstChannel), "the first connection is still open");
        var agent = Assert.Single((await StatusWhenAsync(s => s.Agents.Any(a => a.HostName == "host5b"))).Agents);
        Assert.True(agent.Connected);
    }

    [Fact]
    public async Task Hello_WithAnotherAgentsName_IsKnownByItsCredentialNotByTheName()
    {
        using var victim = await ConnectAsAsync("victim");
        var victimChannel = new AgentChannel(victim);
        await victimChannel.SendAsync(new HelloMessage("victim", "host-v", "test", "tcg"), CancellationToken.None);
        await victimChannel.ReceiveAsync(CancellationToken.None); // welcome

        using var intruder = await ConnectAsAsync("intruder");
        var channel = new AgentChannel(intruder);
        await channel.SendAsync(new HelloMessage("victim", "host-i", "test", "tcg"), CancellationToken.None);
        await channel.ReceiveAsync(CancellationToken.None); // welcome

        var status = await StatusWhenAsync(s => s.Agents.Count(a => a.Connected) == 2);
        Assert.Equal("host-v", status.Agents.Single(a => a.Name == "victim").HostName);
        Assert.Equal("host-i", status.Agents.Single(a => a.Name == "intruder").HostName);
    }

    [Fact]
    public async Task Hello_GetsWelcomeThenEmptyDesiredState()
    {
        using var socket = await ConnectAsAsync("a1");
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
        using var socket = await ConnectAsAsync("a2");
        var channel = new AgentChannel(socket);
        await channel.SendAsync(new HelloMessage("a2", "host2", "test", "tcg"), CancellationToken.None);
        await channel.ReceiveAsync(CancellationToken.None); // welcome
        await channel.ReceiveAsync(CancellationToken.None); // desired
        await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"v":{{AgentProtocol.Version}},"type":"teleport","id":"x1"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
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
        using (var socket = await ConnectAsAsync("a3"))
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

    /// <summary>Whether the peer ends the connection within 30 s (closes it, or drops it).</summary>
    private static async Task<bool> EndsAsync(AgentChannel channel)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await channel.ReceiveAsync(timeout.Token) is not null) { }
            return true;
        }
        catch (WebSocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
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
        Assert.Contains($"\"v\":{AgentProtocol.Version}", json);
        Assert.Equal(message, JsonSerializer.Deserialize<AgentMessage>(json, HangarJson.Options));
    }
}
