using Hangar.State;

namespace Hangar.ControlPlane;

/// <summary>How a control plane runs. The one place for its defaults.</summary>
/// <param name="Listen">Address to bind, e.g. <c>http://127.0.0.1:0</c> (port 0 picks a free port).</param>
/// <param name="StatePath">The SQLite state file, unless <see cref="Store"/> names another location.</param>
/// <param name="ApiToken">Bearer token the CLI sends to <c>/api</c>.</param>
/// <remarks>Agents have no shared token: each joins with a join token and gets a credential of its own (docs/api.md).</remarks>
public sealed record ControlPlaneOptions(string Listen, string StatePath, string ApiToken)
{
    /// <summary>Where the state lives (<c>--store</c>): by default the SQLite file at <see cref="StatePath"/>.</summary>
    public StateStoreLocation Store { get; init; } = StateStoreLocation.Sqlite(StatePath);

    /// <summary>
    /// The image store (file images uploaded by the CLI, by sha256): by default <c>images/</c> next to
    /// <see cref="StatePath"/>. <c>hangar server</c> puts it at <c>HOME/blobs/sha256</c>, the local agent's own image
    /// cache, so that one machine keeps one copy.
    /// </summary>
    public string ImagesDirectory { get; init; } = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(StatePath)) ?? ".", "images");

    public const string DefaultListen = "http://127.0.0.1:0";
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    /// <summary>The certificate to serve HTTPS and WSS with (<see cref="Listen"/> is then an https:// address); null for plain HTTP.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; init; }

    /// <summary>Where to write an admin API token when the store has none (the server's first start); null for nowhere.</summary>
    public string? AdminTokenPath { get; init; }

    /// <summary>
    /// This control plane's name among the replicas of a shared store (PostgreSQL): shown by <c>hangar status</c>, in
    /// the log and in <c>leader</c> events. By default the host name and process id.
    /// </summary>
    public string ReplicaId { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// Where the other replicas of a shared store reach this one (<c>hangar server --advertise</c>), recorded in the store;
    /// null for the address it listens on (a wildcard host replaced by the host name).
    /// </summary>
    public Uri? Advertise { get; init; }

    /// <summary>The clock of heartbeats, join-token and API-token expiry; tests give a fake one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
