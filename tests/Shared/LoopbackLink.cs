using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Channels;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Streams;

namespace Hangar.Testing;

/// <summary>
/// An agent connection on a real loopback TCP socket with real WebSocket framing on both ends: a control-plane side
/// and an agent side, each with its <see cref="StreamMultiplexer"/> fed by a reader loop as the real endpoints do
/// (stream messages to the multiplexer, the rest to <see cref="ControlPlaneInbox"/> / <see cref="AgentInbox"/>), and
/// each ending its streams when its connection ends.
/// </summary>
internal sealed class LoopbackLink : IAsyncDisposable
{
    private readonly TcpClient _agentTcp;
    private readonly TcpClient _controlTcp;
    private readonly Task _controlReader;
    private readonly Task _agentReader;

    private LoopbackLink(TcpClient controlTcp, TcpClient agentTcp, Func<RelayStream, StreamOpenMessage, Task> accept, int window)
    {
        _controlTcp = controlTcp;
        _agentTcp = agentTcp;
        // As Kestrel and SocketsHttpHandler set on theirs: no Nagle delay on small frames.
        _controlTcp.NoDelay = _agentTcp.NoDelay = true;
        ControlSocket = WebSocket.CreateFromStream(controlTcp.GetStream(), new WebSocketCreationOptions { IsServer = true });
        AgentSocket = WebSocket.CreateFromStream(agentTcp.GetStream(), new WebSocketCreationOptions { IsServer = false });
        ControlChannel = new AgentChannel(ControlSocket);
        AgentChannel = new AgentChannel(AgentSocket);
        ControlPlane = new StreamMultiplexer(ControlChannel, window);
        Agent = new StreamMultiplexer(AgentChannel, window) { Accept = accept };
        _controlReader = ReadAsync(ControlChannel, ControlPlane, ControlPlaneInbox, "Agent a1 disconnected.");
        _agentReader = ReadAsync(AgentChannel, Agent, AgentInbox, "The control plane went away.");
    }

    public WebSocket ControlSocket { get; }
    public WebSocket AgentSocket { get; }
    public AgentChannel ControlChannel { get; }
    public AgentChannel AgentChannel { get; }
    public StreamMultiplexer ControlPlane { get; }
    public StreamMultiplexer Agent { get; }
    public Channel<AgentMessage> ControlPlaneInbox { get; } = Channel.CreateUnbounded<AgentMessage>();
    public Channel<AgentMessage> AgentInbox { get; } = Channel.CreateUnbounded<AgentMessage>();

    /// <summary>Largest <c>stream.data</c> payload the control plane's side received.</summary>
    public int LargestChunkToControlPlane { get; private set; }

    public static async Task<LoopbackLink> StartAsync(Func<RelayStream, StreamOpenMessage, Task> accept, int window = AgentProtocol.StreamWindow)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var agent = new TcpClient();
            var accepted = listener.AcceptTcpClientAsync();
            await agent.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            return new LoopbackLink(await accepted, agent, accept, window);
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>Cuts the agent's TCP connection, as a crashed agent host would.</summary>
    public void DropAgent()
    {
        AgentSocket.Abort();
        _agentTcp.Client.Close(0);
    }

    private async Task ReadAsync(AgentChannel channel, StreamMultiplexer mux, Channel<AgentMessage> inbox, string endMessage)
    {
        try
        {
            while (await channel.ReceiveAsync(CancellationToken.None) is { } message)
            {
                if (message is StreamDataMessage data && ReferenceEquals(mux, ControlPlane))
                    LargestChunkToControlPlane = Math.Max(LargestChunkToControlPlane, data.Data.Length);
                if (!mux.Dispatch(message)) await inbox.Writer.WriteAsync(message);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            mux.EndAll(endMessage);
            inbox.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        ControlSocket.Abort();
        AgentSocket.Abort();
        _controlTcp.Dispose();
        _agentTcp.Dispose();
        await Task.WhenAll(_controlReader, _agentReader);
    }
}
