using Hangar.State.Replication;
using Npgsql;
using NpgsqlTypes;
using static Hangar.State.Postgres.PostgresCommands;

namespace Hangar.State.Postgres;

/// <summary>
/// <see cref="IObservedStore"/> in tables <c>observed_vms</c> and <c>observed_agents</c> (PostgreSQL migration 5). Each
/// row written takes the next value of <c>observed_seq</c>, so a reader asks for an agent's rows after the last value it
/// saw. Only the replica an agent is connected to writes its rows, one report at a time, so that order is the order
/// of the agent's reports (during a reconnection two replicas may both write for a moment; the new connection starts
/// with a whole report, which marks every VM it does not name gone).
/// </summary>
public sealed class PostgresObservedStore : IObservedStore
{
    private readonly NpgsqlDataSource _source;

    private PostgresObservedStore(NpgsqlDataSource source) => _source = source;

    public static async Task<PostgresObservedStore> OpenAsync(StateStoreLocation location, CancellationToken ct) =>
        new(await PostgresSchema.OpenMigratedAsync(location, ct));

    public Task WriteAsync(ObservedReport report, CancellationToken ct) => RunAsync(_source, async connection =>
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (report.Vms.Count > 0)
        {
            await using var rows = new NpgsqlCommand("""
                INSERT INTO observed_vms (agent, vm, report, desired_revision, seq)
                SELECT @a, v.vm, v.report, v.revision, nextval('observed_seq')
                FROM unnest(@vms, @reports, @revisions) WITH ORDINALITY AS v(vm, report, revision, n) ORDER BY v.n
                ON CONFLICT (agent, vm) DO UPDATE SET report = excluded.report, desired_revision = excluded.desired_revision, seq = excluded.seq
                """, connection);
            rows.Parameters.Add(Parameter("a", report.Agent, NpgsqlDbType.Text));
            rows.Parameters.Add(Parameter("vms", report.Vms.Select(v => v.Vm).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
            rows.Parameters.Add(Parameter("reports", report.Vms.Select(v => v.Report).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
            rows.Parameters.Add(Parameter("revisions", report.Vms.Select(v => v.DesiredRevision).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint));
            await rows.ExecuteNonQueryAsync(ct);
        }
        if (report.WholeVms is { } whole)
        {
            await using var gone = new NpgsqlCommand(
                "UPDATE observed_vms SET report = NULL, seq = nextval('observed_seq') WHERE agent = @a AND report IS NOT NULL AND NOT (vm = ANY(@vms))", connection);
            gone.Parameters.Add(Parameter("a", report.Agent, NpgsqlDbType.Text));
            gone.Parameters.Add(Parameter("vms", whole.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
            await gone.ExecuteNonQueryAsync(ct);
        }
        await using (var agent = new NpgsqlCommand("""
            INSERT INTO observed_agents (agent, replica, report, seq) VALUES (@a, @r, @report, nextval('observed_seq'))
            ON CONFLICT (agent) DO UPDATE SET replica = excluded.replica, report = excluded.report, seq = excluded.seq
            """, connection))
        {
            agent.Parameters.Add(Parameter("a", report.Agent, NpgsqlDbType.Text));
            agent.Parameters.Add(Parameter("r", report.Replica, NpgsqlDbType.Text));
            agent.Parameters.Add(Parameter("report", report.AgentReport, NpgsqlDbType.Text));
            await agent.ExecuteNonQueryAsync(ct);
        }
        // Delivered when the transaction commits, so a replica that hears it finds the rows.
        await using (var notify = new NpgsqlCommand("SELECT pg_notify(@c, @p)", connection))
        {
            notify.Parameters.Add(Parameter("c", PostgresChangeFeed.Channel, NpgsqlDbType.Text));
            notify.Parameters.Add(Parameter("p", new StoreChange(StoreChangeKind.Observed, report.Replica, report.Agent).ToPayload(), NpgsqlDbType.Text));
            await notify.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return true;
    }, ct);

    public Task<ObservedRead> ReadAsync(string agent, long afterSeq, CancellationToken ct) => RunAsync(_source, async connection =>
    {
        string? replica = null, agentReport = null;
        var seq = afterSeq;
        await using (var head = new NpgsqlCommand("SELECT replica, report, seq FROM observed_agents WHERE agent = @a", connection))
        {
            head.Parameters.Add(Parameter("a", agent, NpgsqlDbType.Text));
            await using var reader = await head.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct)) (replica, agentReport, seq) = (reader.GetString(0), reader.GetString(1), Math.Max(seq, reader.GetInt64(2)));
        }
        var rows = new List<ObservedRow>();
        await using (var vms = new NpgsqlCommand("SELECT vm, report, desired_revision, seq FROM observed_vms WHERE agent = @a AND seq > @s ORDER BY seq", connection))
        {
            vms.Parameters.Add(Parameter("a", agent, NpgsqlDbType.Text));
            vms.Parameters.Add(Parameter("s", afterSeq, NpgsqlDbType.Bigint));
            await using var reader = await vms.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new ObservedRow(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2)));
                seq = Math.Max(seq, reader.GetInt64(3));
            }
        }
        return new ObservedRead(replica, agentReport, rows, seq);
    }, ct);

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
