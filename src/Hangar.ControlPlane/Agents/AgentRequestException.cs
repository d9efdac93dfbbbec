namespace Hangar.ControlPlane.Agents;

/// <summary>
/// A request about agents or join tokens that cannot be done as asked, with the HTTP meaning
/// <see cref="Api.ErrorMapping"/> gives it: <see cref="AgentRequestError.Invalid"/> (400), <see cref="AgentRequestError.NotFound"/>
/// (404) or <see cref="AgentRequestError.Conflict"/> (409). The message says what would be valid.
/// </summary>
public sealed class AgentRequestException(AgentRequestError error, string message) : Exception(message)
{
    public AgentRequestError Error { get; } = error;
}

public enum AgentRequestError { Invalid, NotFound, Conflict }
