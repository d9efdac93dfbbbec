using System.Text.Json;
using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Streams;
using Hangar.Protocol.Api;
using Microsoft.AspNetCore.Http;

namespace Hangar.ControlPlane.Api;

/// <summary>
/// <c>POST /api/v1/vms/NAME/exec</c>: runs a command in a VM's guest through its guest agent. The control plane opens an
/// <see cref="StreamKind.Exec"/> stream on the connection of the agent that reports the VM; that agent runs it through
/// the VM's qemu-ga and answers one <see cref="GuestExecOutcome"/>. A VM whose agent is connected to another replica is
/// not served here (its exec is not forwarded yet): the answer says which agent holds it.
/// </summary>
internal static class ExecEndpoints
{
    /// <summary>Most bytes of output the answer may carry (qemu-ga itself keeps at most 16 MiB of each stream).</summary>
    private const int MaxOutcomeBytes = 48 * 1024 * 1024;

    public static async Task<IResult> ExecAsync(string name, HttpContext http, FleetService fleet)
    {
        var ct = http.RequestAborted;
        var request = await JsonSerializer.DeserializeAsync(http.Request.Body, HangarJson.Info<VmExecRequest>(), ct)
            ?? throw new JsonException("The body is empty.");
        if (request.Command is not { Count: > 0 } || string.IsNullOrEmpty(request.Command[0]))
            throw new AgentRequestException(AgentRequestError.Invalid, "The command is empty: give the program to run and its arguments.");
        var timeout = request.TimeoutSeconds ?? VmExecRequest.DefaultTimeoutSeconds;
        if (timeout is < 1 or > VmExecRequest.MaxTimeoutSeconds)
            throw new AgentRequestException(AgentRequestError.Invalid, $"timeoutSeconds is {timeout}; it must be 1..{VmExecRequest.MaxTimeoutSeconds}.");

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
            stream = await agent.Streams.OpenAsync(name, StreamKind.Exec, 0, false, ct, new GuestExecRequest(request.Command, request.Input, timeout));
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
                if (body.Length + chunk.Length > MaxOutcomeBytes)
                    throw new AgentRequestException(AgentRequestError.Conflict, $"The output of the command in VM {name} is larger than {MaxOutcomeBytes / 1024 / 1024} MiB.");
                body.Write(chunk);
            }
            if (stream.Closure is not { Reason: StreamCloseReason.End })
                throw new AgentRequestException(AgentRequestError.Conflict, stream.Closure?.Message ?? $"The command in VM {name} ended without an answer.");
            var outcome = JsonSerializer.Deserialize(body.ToArray(), AgentJsonContext.Default.GuestExecOutcome)
                ?? throw new AgentRequestException(AgentRequestError.Conflict, $"Agent {agent.Name} answered the command in VM {name} with nothing.");
            return Results.Json(new VmExecResult(outcome.ExitCode, outcome.Signal, outcome.Stdout, outcome.Stderr), HangarJson.Info<VmExecResult>());
        }
        finally
        {
            await stream.CloseAsync(StreamCloseReason.Closed, "The client went away.");
        }
    }
}
