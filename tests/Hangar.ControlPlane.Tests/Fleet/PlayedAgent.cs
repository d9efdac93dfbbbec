using System.Net.WebSockets;
using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Agent;

namespace Hangar.ControlPlane.Tests.Fleet;

/// <summary>
/// An agent played by hand: a session connected through a channel whose frames go nowhere (a WebSocket over
/// <see cref="Stream.Null"/>), so the fleet places VMs on it and the test writes its reports.
/// </summary>
internal static class PlayedAgent
{
    public static async Task<AgentSession> ConnectAsync(FleetService fleet, string name, AgentSession? session = null)
    {
        session ??= fleet.GetOrAddAgent(name);
        await fleet.AgentHelloAsync(session, new HelloMessage(name, "host-" + name, "test", "tcg", 4, 4L << 30), CancellationToken.None);
        session.Channel = new AgentChannel(WebSocket.CreateFromStream(Stream.Null, new WebSocketCreationOptions { IsServer = true }));
        await fleet.AgentConnectedAsync(session, CancellationToken.None);
        return session;
    }
}
