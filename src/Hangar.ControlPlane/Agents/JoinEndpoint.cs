using System.Text.Json;
using Hangar.ControlPlane.Api;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Microsoft.AspNetCore.Http;

namespace Hangar.ControlPlane.Agents;

/// <summary>
/// <c>POST /agent/join</c>: an agent exchanges a join token (bearer) for a credential of its own, once. Errors are
/// the API's (<see cref="ErrorMapping"/>): 401 for a token that is unknown, expired or used up, 409 for a name that is
/// taken, 400 for a bad name or label.
/// </summary>
internal static class JoinEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext http, FleetService fleet)
    {
        var token = TokenAuth.Bearer(http.Request) ?? throw new AgentRefusedException("Send the join token as 'Authorization: Bearer TOKEN'.");
        var request = await JsonSerializer.DeserializeAsync(http.Request.Body, AgentJsonContext.Default.AgentJoinRequest, http.RequestAborted)
            ?? throw new JsonException("The body is empty.");
        var (name, credential) = await fleet.JoinAgentAsync(token, request.Name, request.Labels, http.RequestAborted);
        return Results.Json(new AgentJoinResponse(name, credential), AgentJsonContext.Default.AgentJoinResponse);
    }
}
