namespace Hangar.State.Replication;

/// <summary>
/// How the other replicas reach one replica (table <c>replicas</c>, PostgreSQL migration 6): written by the replica
/// itself when it starts listening.
/// </summary>
/// <param name="Id">The replica's id (<c>hangar status</c>: <c>host:port</c>).</param>
/// <param name="Url">Where it answers (<c>hangar server --advertise</c>, else its listen address).</param>
/// <param name="Fingerprint">The SHA-256 fingerprint of the certificate it serves (<c>sha256:…</c>); null for plain HTTP.</param>
/// <param name="SecretHash">SHA-256 (hex) of the secret this run of the replica presents to the others; the secret itself
/// stays in its memory.</param>
/// <param name="StartedAt">When this run of the replica wrote the row.</param>
public sealed record ReplicaRecord(string Id, string Url, string? Fingerprint, string SecretHash, DateTimeOffset StartedAt);
