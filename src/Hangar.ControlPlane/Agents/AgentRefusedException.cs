namespace Hangar.ControlPlane.Agents;

/// <summary>
/// An agent's join token or credential was refused: unknown, expired, used up, or revoked. The message says which,
/// for both the agent (it gets it in the 401 answer) and the operator (it is an <c>agent.refused</c> event).
/// </summary>
public sealed class AgentRefusedException(string message) : Exception(message);
