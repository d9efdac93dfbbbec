using Npgsql;

namespace Hangar.State.Postgres;

/// <summary>
/// Schema migrations, applied in order; the one-row table <c>schema_version</c> records how far a database is. The
/// tables go into the connection's search path (a dedicated database, or <c>Search Path=…</c> for a schema of its own).
/// </summary>
/// <remarks>
/// Columns mirror <see cref="Sqlite.SqliteSchema"/> after all its migrations, in PostgreSQL's own types: booleans are
/// <c>boolean</c>, instants are <c>timestamptz</c> (written at millisecond precision, as SQLite keeps them), the spec
/// stays <c>text</c> (the store never interprets it, and <c>jsonb</c> would reorder its keys). A new migration is
/// appended here and in SQLite's list alike; the contract suite runs against both.
/// </remarks>
internal static class PostgresSchema
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE generations (
            number           bigint      PRIMARY KEY CHECK (number > 0),
            created_at       timestamptz NOT NULL,
            spec_json        text        NOT NULL,
            message          text,
            source           text        NOT NULL,
            status           text        NOT NULL CHECK (status IN ('rolling-out', 'active', 'superseded', 'failed', 'rolled-back')),
            reason           text,
            rollback_of      bigint,
            changed_vms      text        NOT NULL,
            confirmed        boolean     NOT NULL,
            auto_rollback    boolean     NOT NULL,
            confirm_deadline timestamptz,
            author           text,
            image_digests    text
        );
        CREATE TABLE vm_admin (
            name          text    PRIMARY KEY,
            running       boolean,
            restart_nonce bigint  NOT NULL
        );
        CREATE TABLE fleet_admin (
            id            integer PRIMARY KEY CHECK (id = 1),
            active        boolean NOT NULL,
            purge_removed boolean NOT NULL
        );
        CREATE TABLE events (
            id      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at      timestamptz NOT NULL,
            kind    text        NOT NULL,
            vm      text,
            message text        NOT NULL
        );
        """,
        // Agents, join tokens and placement (IAgentStore), as SQLite's migration 5. Labels are JSON in text, like the
        // spec: the store never looks inside them.
        """
        CREATE TABLE agents (
            name            text        PRIMARY KEY,
            credential_hash text        NOT NULL UNIQUE,
            labels          text        NOT NULL,
            vcpus           integer     NOT NULL,
            memory_bytes    bigint      NOT NULL,
            version         text        NOT NULL,
            host_name       text        NOT NULL,
            accelerator     text,
            joined_at       timestamptz NOT NULL,
            last_heartbeat  timestamptz,
            cordoned        boolean     NOT NULL
        );
        CREATE TABLE join_tokens (
            id          text        PRIMARY KEY,
            secret_hash text        NOT NULL,
            created_at  timestamptz NOT NULL,
            expires_at  timestamptz NOT NULL,
            uses        integer     NOT NULL,
            used        integer     NOT NULL,
            labels      text        NOT NULL
        );
        CREATE TABLE vm_placement (
            vm    text PRIMARY KEY,
            agent text NOT NULL
        );
        """,
        // API tokens with a role (IApiTokenStore), as SQLite's migration 6.
        """
        CREATE TABLE api_tokens (
            id          text        PRIMARY KEY,
            secret_hash text        NOT NULL,
            role        text        NOT NULL,
            name        text,
            created_at  timestamptz NOT NULL,
            expires_at  timestamptz
        );
        """,
        // Each agent's last drain, as SQLite's migration 7.
        """
        CREATE TABLE agent_drains (
            agent text PRIMARY KEY,
            drain text NOT NULL
        );
        """,
        // What agents report, shared between replicas (IObservedStore): one row per VM an agent reports (NULL once it
        // no longer does), one per agent for the rest of its report; seq orders the rows a reader has not seen yet.
        // PostgreSQL only: a SQLite store has one control plane, which keeps reports in memory.
        """
        CREATE SEQUENCE observed_seq;
        CREATE TABLE observed_vms (
            agent            text   NOT NULL,
            vm               text   NOT NULL,
            report           text,
            desired_revision bigint NOT NULL,
            seq              bigint NOT NULL,
            PRIMARY KEY (agent, vm)
        );
        CREATE INDEX observed_vms_by_seq ON observed_vms (agent, seq);
        CREATE TABLE observed_agents (
            agent   text   PRIMARY KEY,
            replica text   NOT NULL,
            report  text   NOT NULL,
            seq     bigint NOT NULL
        );
        """,
        // Where each replica answers and what images it holds (IReplicaDirectory), for forwarding between replicas.
        // PostgreSQL only, like migration 5. A replica's secret is not stored, only its SHA-256.
        """
        CREATE TABLE replicas (
            id          text        PRIMARY KEY,
            url         text        NOT NULL,
            fingerprint text,
            secret_hash text        NOT NULL,
            started_at  timestamptz NOT NULL
        );
        CREATE TABLE image_copies (
            sha256     text   NOT NULL,
            replica    text   NOT NULL,
            size_bytes bigint NOT NULL,
            PRIMARY KEY (sha256, replica)
        );
        """,
        // Each agent's age recipient, as SQLite's migration 8.
        "ALTER TABLE agents ADD COLUMN recipient text;",
        // The agent an event is about, as SQLite's last migration.
        "ALTER TABLE events ADD COLUMN agent text;",
    ];

    /// <summary>The newest schema version this code knows.</summary>
    public static int Version => Migrations.Length;

    /// <summary>
    /// Key of the transaction-scoped advisory lock that serializes migrations: two control-plane replicas starting
    /// at once on an empty database must not both create the tables. ("Hangar" in ASCII; other advisory locks of
    /// Hangar's must use other keys.)
    /// </summary>
    private const long MigrationLockKey = 0x48616e676172;

    /// <summary>
    /// A pool of connections to the database <paramref name="location"/> names, migrated to this code's schema: what
    /// every PostgreSQL store starts from.
    /// </summary>
    /// <exception cref="StateStoreException">The server cannot be reached, refuses the login, or holds a newer schema;
    /// the message names the location with its password masked.</exception>
    public static async Task<NpgsqlDataSource> OpenMigratedAsync(StateStoreLocation location, CancellationToken ct)
    {
        if (location.Engine != StateStoreEngine.Postgres)
            throw new ArgumentException($"Not a PostgreSQL location: {location}", nameof(location));
        var source = NpgsqlDataSource.Create(location.Target);
        try
        {
            await using var connection = await source.OpenConnectionAsync(ct);
            await MigrateAsync(connection, ct);
            return source;
        }
        catch (NpgsqlException e)
        {
            await source.DisposeAsync();
            throw new StateStoreException($"Could not open the state database {location}.", e);
        }
        catch
        {
            await source.DisposeAsync();
            throw;
        }
    }

    /// <summary>Brings the database to <see cref="Version"/> in one transaction: all migrations or none.</summary>
    /// <exception cref="StateStoreException">The database is newer than this code.</exception>
    public static async Task MigrateAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", ct);
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)", ct);
        await using var read = new NpgsqlCommand("SELECT version FROM schema_version", connection);
        var version = await read.ExecuteScalarAsync(ct) is int v ? v : (int?)null;
        if (version is null) await ExecuteAsync(connection, "INSERT INTO schema_version (version) VALUES (0)", ct);
        var current = version ?? 0;
        if (current > Migrations.Length)
            throw new StateStoreException($"The state database has schema version {current}, newer than this Hangar knows ({Migrations.Length}); upgrade Hangar.");
        for (var i = current; i < Migrations.Length; i++)
            await ExecuteAsync(connection, Migrations[i] + $"; UPDATE schema_version SET version = {i + 1};", ct);
        await tx.CommitAsync(ct);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
