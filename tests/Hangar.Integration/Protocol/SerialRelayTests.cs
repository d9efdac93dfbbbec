using System.Net.WebSockets;
using System.Text;
using Hangar.ControlPlane;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Streams;

namespace Hangar.Integration.Protocol;

/// <summary>
/// The API's logs and console, relayed by a real control plane to a hand-driven agent over a real WebSocket on
/// loopback. The agent reports paths that exist on this host in no message (there is no field for one): what the API
/// serves is only what the agent sends on the stream.
/// </summary>
public sealed class SerialRelayTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("hcp-").FullName;
    private ControlPlaneServer _server = null!;
    private HangarClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await ControlPlaneServer.StartAsync(new ControlPlaneOptions(ControlPlaneOptions.DefaultListen,
            Path.Combine(_dir, "state.db"), "api-token"), null, CancellationToken.None);
        _client = new HangarClient(_server.Url, "api-token");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>An agent that reports VM <c>web</c> running and serves its streams with <paramref name="accept"/>.</summary>
    private async Task<(ClientWebSocket Socket, Task Reader)> ConnectAgentAsync(string name, Func<RelayStream, StreamOpenMessage, Task> accept)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + await _server.IssueLocalAgentCredentialAsync(name, CancellationToken.None));
        await socket.ConnectAsync(_server.AgentUrl, CancellationToken.None);
        var channel = new AgentChannel(socket);
        await channel.SendAsync(new HelloMessage(name, "host-" + name, "test", "tcg"), CancellationToken.None);
        Assert.IsType<WelcomeMessage>(await channel.ReceiveAsync(CancellationToken.None));
        var mux = new StreamMultiplexer(channel) { Accept = accept };
        var reader = Task.Run(async () =>
        {
            try
            {
                while (await channel.ReceiveAsync(CancellationToken.None) is { } message) mux.Dispatch(message);
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException) { }
            finally { mux.EndAll("gone"); }
        });
        await channel.SendAsync(new ObservedStateMessage(0, 0,
            [new ObservedVm("web", VmPhase.Running, null, HealthState.Healthy, "tcg", 4242, [], null, 0, DateTimeOffset.UtcNow, 0, 0)]), CancellationToken.None);
        // The report is taken on the server's own loop: wait until the fleet shows it.
        using var timeout = new CancellationTokenSource(Timeout);
        while (_server.Fleet.FindAgentOf("web") is null) await _server.Fleet.WhenChangedAsync(timeout.Token);
        return (socket, reader);
    }

    [Fact]
    public async Task Logs_OfAVmOnARemoteAgent_AreWhatItsAgentSendsOnTheStream()
    {
        StreamOpenMessage? asked = null;
        var (socket, reader) = await ConnectAgentAsync("lab2", async (stream, open) =>
        {
            asked = open;
            await stream.AcceptAsync(CancellationToken.None);
            await stream.WriteAsync("hangar-tiny: ready\n"u8.ToArray(), CancellationToken.None);
            await stream.CloseAsync(StreamCloseReason.End, "End of the log.");
        });

        await using var log = await _client.LogsAsync("web", follow: false, CancellationToken.None);
        using var text = new StreamReader(log);

        Assert.Equal("hangar-tiny: ready\n", await text.ReadToEndAsync().WaitAsync(Timeout));
        Assert.Equal(("web", StreamKind.Log, 0L, false), (asked!.Vm, asked.Kind, asked.Offset, asked.Follow));
        socket.Abort();
        await reader;
    }

    [Fact]
    public async Task FollowedLog_AgentDisconnects_ResponseIsCutShort()
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (socket, reader) = await ConnectAgentAsync("lab3", async (stream, _) =>
        {
            await stream.AcceptAsync(CancellationToken.None);
            await stream.WriteAsync("booting\n"u8.ToArray(), CancellationToken.None);
            sent.SetResult();
            try { await Task.Delay(System.Threading.Timeout.Infinite, stream.Closed); }
            catch (OperationCanceledException) { }
        });
        await using var log = await _client.LogsAsync("web", follow: true, CancellationToken.None);
        var buffer = new byte[64];
        var read = await log.ReadAsync(buffer).AsTask().WaitAsync(Timeout);
        Assert.Equal("booting\n", Encoding.ASCII.GetString(buffer, 0, read));

        socket.Abort();
        await reader;

        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (await log.ReadAsync(buffer).AsTask().WaitAsync(Timeout) > 0) { }
        });
    }

    [Fact]
    public async Task Console_AgentDisconnects_ClientGetsACloseNamingTheAgent()
    {
        var (socket, reader) = await ConnectAgentAsync("lab4", async (stream, _) =>
        {
            await stream.AcceptAsync(CancellationToken.None);
            while (await stream.ReadAsync(CancellationToken.None) is { } input) await stream.WriteAsync(input, CancellationToken.None);
        });
        using var console = await _client.ConsoleAsync("web", CancellationToken.None);
        await console.SendAsync("ping\n"u8.ToArray(), WebSocketMessageType.Binary, true, CancellationToken.None);
        var buffer = new byte[64];
        using var timeout = new CancellationTokenSource(Timeout);
        var echo = await console.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal("ping\n", Encoding.ASCII.GetString(buffer, 0, echo.Count));

        socket.Abort();
        await reader;

        var close = await console.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal((WebSocketCloseStatus.EndpointUnavailable, "Agent lab4 disconnected."), (console.CloseStatus, console.CloseStatusDescription));
    }

    [Fact]
    public async Task Console_AgentRefusesTheSession_ClientExceptionCarriesTheAgentsReason()
    {
        // Before, the client saw only "status code '409' when '101' was expected" and guessed from the VM's phase.
        var (socket, reader) = await ConnectAgentAsync("lab5", (stream, _) =>
            stream.CloseAsync(StreamCloseReason.Unreachable, "The console of VM web cannot be reached (ECONNREFUSED); it may be stopping."));

        var error = await Assert.ThrowsAsync<ApiException>(() => _client.ConsoleAsync("web", CancellationToken.None));

        Assert.Equal(409, error.Status);
        Assert.Equal("The console of VM web cannot be reached (ECONNREFUSED); it may be stopping.", error.Message);
        socket.Abort();
        await reader;
    }
}
