using System.Text.Json;
using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Spec;
using Microsoft.AspNetCore.Http;

namespace Hangar.ControlPlane.Api;

/// <summary>
/// <c>POST /api/v1/vms/NAME/balloon</c>: sets (or reads) the memory balloon target of a running VM that has one. The
/// control plane opens a <see cref="StreamKind.Balloon"/> stream on the connection of the agent that reports the VM,
/// which sets it through QMP (<c>balloon</c>) and answers with what the guest has now. Like <c>virsh setmem --live</c>,
/// the target lasts until the VM's QEMU stops; the fleet file is not changed.
/// </summary>
internal static class BalloonEndpoints
{
    /// <summary>The least memory a target may leave the guest: below it Linux guests stop making progress.</summary>
    public static readonly ByteSize MinTarget = ByteSize.FromMiB(16);

    public static async Task<IResult> BalloonAsync(string name, HttpContext http, FleetService fleet)
    {
        var ct = http.RequestAborted;
        var request = await JsonSerializer.DeserializeAsync(http.Request.Body, HangarJson.Info<VmBalloonRequest>(), ct)
            ?? throw new JsonException("The body is empty.");
        var status = fleet.VmStatus(name) ?? throw new VmNotFoundException(name);
        if (status.Balloon is null)
            throw new AgentRequestException(AgentRequestError.Conflict, $"VM {name} has no memory balloon; give it balloon: true in the fleet file and apply (that restarts it).");
        if (!ByteSize.TryParse(status.Memory, out var memory, out _))
            throw new InvalidOperationException($"VM {name}'s memory '{status.Memory}' is not a size.");
        long? target = null;
        if (request.Target is { } text)
        {
            if (!ByteSize.TryParse(text, out var size, out var error))
                throw new AgentRequestException(AgentRequestError.Invalid, $"target: {error}.");
            if (size < MinTarget || size > memory)
                throw new AgentRequestException(AgentRequestError.Invalid, $"target is {size}; it must be from {MinTarget} to the VM's memory, {memory}.");
            target = size.Bytes;
        }

        var (agent, answer) = await AgentRelay.RequestAsync(fleet, name, StreamKind.Balloon, $"the balloon of VM {name}", AgentProtocol.MaxStreamChunk, ct,
            balloon: new BalloonRequest(target));
        var outcome = JsonSerializer.Deserialize(answer, AgentJsonContext.Default.BalloonOutcome)
            ?? throw new AgentRequestException(AgentRequestError.Conflict, $"Agent {agent} answered the balloon of VM {name} with nothing.");
        return Results.Json(new VmBalloonResult(outcome.TargetBytes, outcome.ActualBytes, memory.Bytes), HangarJson.Info<VmBalloonResult>());
    }
}
