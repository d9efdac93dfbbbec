namespace Hangar.ControlPlane.Auth;

/// <summary>Who may call an endpoint: an API token of at least a role, or an agent with its own secret.</summary>
public enum EndpointAccess
{
    Viewer,
    Operator,
    Admin,
    /// <summary><c>/agent/join</c> and <c>/agent/ws</c>: the endpoint checks a join token or an agent credential itself.</summary>
    Agent,
    /// <summary><c>/replica/…</c>: another replica of the same store, with its own secret (<c>ReplicaPeers</c>); no API token.</summary>
    Replica,
}
