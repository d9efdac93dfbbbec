namespace Hangar.Protocol.Agent;

/// <summary>Why a relayed stream ended (JSON: camelCase names). The message that goes with it says it in words.</summary>
public enum StreamCloseReason
{
    /// <summary>A log read without follow reached the end of the log.</summary>
    End,
    /// <summary>The sender's side ended the session: the user detached, or the VM's console socket closed.</summary>
    Closed,
    /// <summary>The agent supervises no VM of that name.</summary>
    NotFound,
    /// <summary>The VM has no console to attach to: it is not running.</summary>
    NotRunning,
    /// <summary>The VM's console socket could not be connected.</summary>
    Unreachable,
    /// <summary>The peer sent more than the window it was given (a protocol error); the session is ended.</summary>
    Overflow,
    /// <summary>The connection already carries as many streams as the receiver allows.</summary>
    Limit,
    /// <summary>Reading or writing the VM's file or socket failed.</summary>
    Failed,
    /// <summary>The agent's connection ended. Never sent: each side ends its streams with it when the connection goes.</summary>
    Disconnected,
}
