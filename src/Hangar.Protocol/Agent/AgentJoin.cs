namespace Hangar.Protocol.Agent;

/// <summary>
/// Body of <c>POST /agent/join</c> (sent with <c>Authorization: Bearer JOIN-TOKEN</c>): the name the agent asks for
/// and labels of its own (the token's labels win over these).
/// </summary>
public sealed record AgentJoinRequest(string Name, IReadOnlyDictionary<string, string>? Labels = null);

/// <summary>Answer of <c>POST /agent/join</c>: the agent's name and its credential, which it keeps and sends on <c>/agent/ws</c>.</summary>
public sealed record AgentJoinResponse(string Name, string Credential);
