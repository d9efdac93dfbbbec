namespace Hangar.Protocol.Api;

/// <summary>
/// What an API token may do (JSON: <c>admin</c>, <c>operator</c>, <c>viewer</c>). Each role may do everything the
/// roles below it may: <see cref="Admin"/> ⊃ <see cref="Operator"/> ⊃ <see cref="Viewer"/>. docs/api.md lists the role
/// every endpoint needs.
/// </summary>
public enum ApiRole
{
    /// <summary>Read only: status, lists, show, diff, plan, events, logs.</summary>
    Viewer,
    /// <summary>Also changes the fleet: apply, rollback, VM start/stop/restart, down, gc, console.</summary>
    Operator,
    /// <summary>Everything, including API tokens, join tokens, agents and stopping the server.</summary>
    Admin,
}
