using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Streams;

namespace Hangar.ControlPlane.Api;

/// <summary>
/// A request relayed to the agent that reports a VM, answered with one document: opens a stream of one kind on that
/// agent's connection (<see cref="StreamKind.Exec"/>, <see cref="StreamKind.Balloon"/>) and reads it to its end. A VM
/// whose agent is connected to another replica is not served here: the error says which agent holds it.
/// </summary>
internal static class AgentRelay
{
    /// <summary>The agent's answer to <paramref name="kind"/> on VM <paramref name="name"/>, at most <paramref name="maxBytes"/>.</summary>
    /// <param name="what">What the answer is, for errors ("the command in VM web").</param>
    /// <exception cref="AgentRequestException">No agent runs the VM, it is not connected here, it refused, or the answer is missing or too large.</exception>
    public static async Task<(string Agent, byte[] Answer)> RequestAsync(FleetService fleet, string name, StreamKind kind, string what, int maxBytes,
        CancellationToken ct, GuestExecRequest? exec = null, BalloonRequest? balloon = null)
    {
        var agent = fleet.FindAgentOf(name);
        if (agent is null)
        {
            if (!fleet.HasVm(name)) throw new VmNotFoundException(name);
            throw new AgentRequestException(AgentRequestError.Conflict, $"VM {name} is not running: no agent reports it.");
        }
        if (agent.Streams is null || !agent.Connected)
            throw new AgentRequestException(AgentRequestError.Conflict, $"VM {name} is on agent {agent.Name}, which is not connected to this control plane.");

        RelayStream stream;
        try
        {
            stream = await agent.Streams.OpenAsync(name, kind, 0, false, ct, exec, balloon);
        }
        catch (StreamClosedException e)
        {
            throw new AgentRequestException(AgentRequestError.Conflict, e.Message);
        }
        try
        {
            using var body = new MemoryStream();
            while (await stream.ReadAsync(ct) is { } chunk)
            {
                if (body.Length + chunk.Length > maxBytes)
                    throw new AgentRequestException(AgentRequestError.Conflict, $"The answer of {what} is larger than {maxBytes} bytes.");
                body.Write(chunk);
            }
            if (stream.Closure is not { Reason: StreamCloseReason.End })
                throw new AgentRequestException(AgentRequestError.Conflict, stream.Closure?.Message ?? $"{char.ToUpperInvariant(what[0])}{what[1..]} ended without an answer.");
            return (agent.Name, body.ToArray());
        }
        finally
        {
            await stream.CloseAsync(StreamCloseReason.Closed, "The client went away.");
        }
    }
}
