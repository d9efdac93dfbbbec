using Hangar.State;

namespace Hangar.ControlPlane;

/// <summary>How a control plane runs. The one place for its defaults.</summary>
/// <param name="Listen">Address to bind, e.g. <c>http://127.0.0.1:0</c> (port 0 picks a free port).</param>
/// <param name="StatePath">The SQLite state file, unless <see cref="Store"/> names another location.</param>
/// <param name="ApiToken">Bearer token the CLI sends to <c>/api</c>.</param>
/// <param name="AgentToken">Bearer token agents send to <c>/agent/ws</c>.</param>
public sealed record ControlPlaneOptions(string Listen, string StatePath, string ApiToken, string AgentToken)
{
    /// <summary>Where the state lives (<c>--store</c>): by default the SQLite file at <see cref="StatePath"/>.</summary>
    public StateStoreLocation Store { get; init; } = StateStoreLocation.Sqlite(StatePath);

    public const string DefaultListen = "http://127.0.0.1:0";
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);
}
