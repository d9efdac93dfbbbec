using Microsoft.Data.Sqlite;

namespace Hangar.State.Sqlite;

/// <summary>Schema migrations, applied in order; <c>PRAGMA user_version</c> records how far a file is.</summary>
internal static class SqliteSchema
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE generations (
            number     INTEGER PRIMARY KEY,
            created_at INTEGER NOT NULL,
            spec_json  TEXT    NOT NULL,
            message    TEXT,
            source     TEXT    NOT NULL
        );
        CREATE TABLE vm_admin (
            name          TEXT PRIMARY KEY,
            running       INTEGER,
            restart_nonce INTEGER NOT NULL
        );
        CREATE TABLE fleet_admin (
            id            INTEGER PRIMARY KEY CHECK (id = 1),
            active        INTEGER NOT NULL,
            purge_removed INTEGER NOT NULL
        );
        CREATE TABLE events (
            id      INTEGER PRIMARY KEY AUTOINCREMENT,
            at      INTEGER NOT NULL,
            kind    TEXT    NOT NULL,
            vm      TEXT,
            message TEXT    NOT NULL
        );
        """,
        // Generations get a life: a status (rolling-out → active → superseded, or failed / rolled-back), why,
        // which generation a rollback restored, which VMs it changed, and the health gate's deadline.
        """
        ALTER TABLE generations ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
        ALTER TABLE generations ADD COLUMN reason TEXT;
        ALTER TABLE generations ADD COLUMN rollback_of INTEGER;
        ALTER TABLE generations ADD COLUMN changed_vms TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE generations ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE generations ADD COLUMN auto_rollback INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE generations ADD COLUMN confirm_deadline INTEGER;
        UPDATE generations SET status = 'superseded' WHERE number < (SELECT MAX(number) FROM generations);
        """,
        // Who committed a generation (the user the CLI ran as), next to when and why.
        """
        ALTER TABLE generations ADD COLUMN author TEXT;
        """,
        // The image digests a generation's VMs booted, recorded when its rollout passed: a JSON map image → sha256.
        """
        ALTER TABLE generations ADD COLUMN image_digests TEXT;
        """,
        // Agents join with a token and keep a credential of their own (IAgentStore); each VM remembers its agent.
        """
        CREATE TABLE agents (
            name            TEXT PRIMARY KEY,
            credential_hash TEXT    NOT NULL UNIQUE,
            labels          TEXT    NOT NULL,
            vcpus           INTEGER NOT NULL,
            memory_bytes    INTEGER NOT NULL,
            version         TEXT    NOT NULL,
            host_name       TEXT    NOT NULL,
            accelerator     TEXT,
            joined_at       INTEGER NOT NULL,
            last_heartbeat  INTEGER,
            cordoned        INTEGER NOT NULL
        );
        CREATE TABLE join_tokens (
            id          TEXT PRIMARY KEY,
            secret_hash TEXT    NOT NULL,
            created_at  INTEGER NOT NULL,
            expires_at  INTEGER NOT NULL,
            uses        INTEGER NOT NULL,
            used        INTEGER NOT NULL,
            labels      TEXT    NOT NULL
        );
        CREATE TABLE vm_placement (
            vm    TEXT PRIMARY KEY,
            agent TEXT NOT NULL
        );
        """,
        // API tokens with a role (IApiTokenStore), kept as hashes like join tokens.
        """
        CREATE TABLE api_tokens (
            id          TEXT PRIMARY KEY,
            secret_hash TEXT    NOT NULL,
            role        TEXT    NOT NULL,
            name        TEXT,
            created_at  INTEGER NOT NULL,
            expires_at  INTEGER
        );
        """,
        // Each agent's last drain (hangar agent drain), so that a restart mid-drain is reported, not forgotten.
        """
        CREATE TABLE agent_drains (
            agent TEXT PRIMARY KEY,
            drain TEXT NOT NULL
        );
        """,
        // Each agent's age recipient (its own key, from hello): what secrets for its VMs are encrypted to.
        "ALTER TABLE agents ADD COLUMN recipient TEXT;",
        // The agent an event is about, for hangar events --agent.
        "ALTER TABLE events ADD COLUMN agent TEXT;",
    ];

    public static async Task MigrateAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;";
            await pragma.ExecuteNonQueryAsync(ct);
        }
        await using var versionCmd = connection.CreateCommand();
        versionCmd.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(await versionCmd.ExecuteScalarAsync(ct));
        if (version > Migrations.Length)
            throw new StateStoreException($"The state database has schema version {version}, newer than this Hangar knows ({Migrations.Length}); upgrade Hangar.");
        for (var i = version; i < Migrations.Length; i++)
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = Migrations[i] + $"; PRAGMA user_version = {i + 1};";
            await cmd.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
    }
}
