namespace Hangar.Protocol.Api;

/// <summary>Body of <c>POST /api/v1/agents/{name}/drain</c>.</summary>
/// <param name="Timeout">How long each VM may take to stop on the drained agent and become running and healthy on its
/// new one (default 5 minutes); the VM that does not make it is moved back and the drain stops.</param>
public sealed record AgentDrainRequest(TimeSpan? Timeout = null);
