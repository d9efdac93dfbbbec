namespace Hangar.Agent.Connection;

/// <summary>
/// The control plane refused this agent: its join token (unknown, expired, used up) or its credential (unknown,
/// revoked). Retrying with the same secret cannot help, so the agent stops and says why.
/// </summary>
public sealed class AgentRefusedException(string message, Exception? inner = null) : Exception(message, inner);
