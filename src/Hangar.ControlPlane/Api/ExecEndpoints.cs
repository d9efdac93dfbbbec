using System.Text.Json;
using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Microsoft.AspNetCore.Http;

namespace Hangar.ControlPlane.Api;

/// <summary>
/// <c>POST /api/v1/vms/NAME/exec</c>: runs a command in a VM's guest through its guest agent. The control plane opens an
/// <see cref="StreamKind.Exec"/> stream on the connection of the agent that reports the VM; that agent runs it through
/// the VM's qemu-ga and answers one <see cref="GuestExecOutcome"/>. A VM whose agent is connected to another replica is
/// not served here (its exec is not forwarded yet): the answer says which agent holds it (<see cref="AgentRelay"/>).
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

        var (agent, answer) = await AgentRelay.RequestAsync(fleet, name, StreamKind.Exec, $"the command in VM {name}", MaxOutcomeBytes, ct,
            exec: new GuestExecRequest(request.Command, request.Input, timeout));
        var outcome = JsonSerializer.Deserialize(answer, AgentJsonContext.Default.GuestExecOutcome)
            ?? throw new AgentRequestException(AgentRequestError.Conflict, $"Agent {agent} answered the command in VM {name} with nothing.");
        return Results.Json(new VmExecResult(outcome.ExitCode, outcome.Signal, outcome.Stdout, outcome.Stderr), HangarJson.Info<VmExecResult>());
    }
}
