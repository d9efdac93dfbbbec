using System.Net.WebSockets;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Streams;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

using Hangar.ControlPlane.Api;

namespace Hangar.ControlPlane.Agents;

/// <summary>
/// The control plane's side of <c>/agent/ws</c>: authenticates the agent by its bearer credential, expects
/// <c>hello</c>, answers <c>welcome</c>, sends the agent's desired state, then takes its observed state until it leaves.
/// The streams relayed for the API's logs and consoles (<see cref="StreamMultiplexer"/>) are taken on the same loop
/// and end, with a message the CLI prints, when the connection does.
/// </summary>
internal sealed partial class AgentEndpoint(FleetService fleet, ControlPlaneOptions options, ILogger<AgentEndpoint> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }
        if (!TokenAuth.Matches(context.Request, options.AgentToken))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        var ct = context.RequestAborted;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var channel = new AgentChannel(socket);
        AgentSession? session = null;
        var streams = new StreamMultiplexer(channel);
        try
        {
            AgentMessage? first;
            try
            {
                first = await channel.ReceiveAsync(ct);
            }
            catch (AgentProtocolException e)
            {
                // Say why before closing (an agent of another protocol version learns it is refused, not just cut off).
                await channel.SendAsync(new ErrorMessage(e.MessageId, e.Code, e.Message), ct);
                throw;
            }
            if (first is not HelloMessage hello)
            {
                await channel.SendAsync(new ErrorMessage(first?.Id, "bad_handshake", "The first frame must be 'hello'."), ct);
                return;
            }
            session = fleet.GetOrAddAgent(hello.AgentName);
            session.HostName = hello.HostName;
            session.Accelerator = hello.Accelerator;
            session.LastSeen = DateTimeOffset.UtcNow;
            await channel.SendAsync(new WelcomeMessage(typeof(AgentEndpoint).Assembly.GetName().Version?.ToString() ?? "0", ControlPlaneOptions.HeartbeatInterval), ct);
            session.Streams = streams;
            session.Channel = channel;
            await fleet.AgentConnectedAsync(session, ct);
            while (true)
            {
                AgentMessage? message;
                try
                {
                    message = await channel.ReceiveAsync(ct);
                }
                catch (AgentProtocolException e)
                {
                    await channel.SendAsync(new ErrorMessage(e.MessageId, e.Code, e.Message), ct);
                    continue;
                }
                if (message is not null && streams.Dispatch(message)) continue;
                switch (message)
                {
                    case null:
                        return;
                    case ObservedStateMessage observed:
                        fleet.ObservedReceived(session, observed);
                        break;
                    case HeartbeatMessage:
                        session.LastSeen = DateTimeOffset.UtcNow;
                        break;
                    case ErrorMessage error:
                        Log.AgentError(logger, session.Name, error.Code, error.Message);
                        break;
                    default:
                        await channel.SendAsync(new ErrorMessage(message.Id, "unexpected_type", $"A control plane does not accept '{message.GetType().Name}'."), ct);
                        break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or AgentProtocolException)
        {
            Log.ConnectionEnded(logger, e.Message);
        }
        finally
        {
            streams.EndAll(session is null ? "The agent disconnected." : $"Agent {session.Name} disconnected.");
            if (session is not null && ReferenceEquals(session.Channel, channel)) fleet.AgentDisconnected(session);
        }
    }
}
