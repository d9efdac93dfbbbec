using System.Net.WebSockets;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Streams;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

using Hangar.ControlPlane.Api;

namespace Hangar.ControlPlane.Agents;

/// <summary>
/// The control plane's side of <c>/agent/ws</c>: authenticates the agent by its own credential (the agent it names is
/// the one it is: the name in <c>hello</c> is not trusted), expects <c>hello</c>, answers <c>welcome</c>, sends the
/// agent a snapshot of its desired state (then deltas), then takes its observed state (whole, then deltas) until it leaves or stays silent past
/// <see cref="AgentRegistry.OfflineAfter"/>. The streams relayed for the API's logs and consoles
/// (<see cref="StreamMultiplexer"/>) are taken on the same loop and end, with a message the CLI prints, when the
/// connection does.
/// </summary>
internal sealed partial class AgentEndpoint(FleetService fleet, ILogger<AgentEndpoint> logger)
{
    public const string CredentialRefusedMessage =
        "This agent's credential is unknown or revoked (the agent was removed, or the control plane's state is not the one it joined); " +
        "delete the agent's credential file and join again with a new token (hangar token create).";

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }
        var authenticated = TokenAuth.Bearer(context.Request) is { } credential ? await fleet.AuthenticateAgentAsync(credential, context.RequestAborted) : null;
        if (authenticated is null)
        {
            fleet.AgentCredentialRefused(context.Connection.RemoteIpAddress?.ToString() ?? "?");
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers[AgentProtocol.RefusedHeader] = CredentialRefusedMessage;
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
            session = authenticated;
            if (hello.AgentName != session.Name) Log.NameIgnored(logger, session.Name, hello.AgentName);
            await fleet.AgentHelloAsync(session, hello, ct);
            await channel.SendAsync(new WelcomeMessage(typeof(AgentEndpoint).Assembly.GetName().Version?.ToString() ?? "0", ControlPlaneOptions.HeartbeatInterval), ct);
            session.Streams = streams;
            // The same agent again (it restarted, or its old connection is half-open): the new connection wins, and
            // the old one is dropped so that one agent never has two sessions.
            var previous = fleet.AttachAgentChannel(session, channel);
            previous?.Socket.Abort();
            await fleet.AgentConnectedAsync(session, ct);
            while (true)
            {
                AgentMessage? message;
                try
                {
                    // An agent reports at least every heartbeat interval; one silent for three is offline, and its
                    // connection (likely half-open) is closed so that a new one can take over.
                    using var silence = new CancellationTokenSource(AgentRegistry.OfflineAfter, fleet.Time);
                    using var receive = CancellationTokenSource.CreateLinkedTokenSource(ct, silence.Token);
                    try
                    {
                        message = await channel.ReceiveAsync(receive.Token);
                    }
                    catch (OperationCanceledException) when (silence.IsCancellationRequested && !ct.IsCancellationRequested)
                    {
                        Log.Silent(logger, session.Name, AgentRegistry.OfflineAfter);
                        return;
                    }
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
                    case ObservedDeltaMessage delta:
                        fleet.ObservedReceived(session, delta);
                        break;
                    case ResyncMessage resync:
                        Log.Resync(logger, session.Name, resync.HaveRevision, resync.Reason);
                        fleet.AgentHeard(session);
                        await fleet.AgentResyncAsync(session, ct);
                        break;
                    case HeartbeatMessage:
                        fleet.Metrics.Heartbeats.Inc(session.Name);
                        fleet.AgentHeard(session);
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
            if (session is not null) await fleet.AgentDisconnectedAsync(session, channel);
        }
    }
}
