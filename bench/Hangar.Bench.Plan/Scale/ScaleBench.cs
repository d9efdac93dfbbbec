using System.Globalization;
using Npgsql;

namespace Hangar.Bench.Plan.Scale;

/// <summary>
/// <c>hangar-bench-plan --scale [--quick] [--sizes 10000,100000] [--agents 1000] [--postgres CONNSTRING] [--root DIR]</c>:
/// many fake agents (real WebSocket clients in this process) against a control plane in its own process, on SQLite
/// and on PostgreSQL side by side. Figures and ratios only, never pass/fail (bench/README.md, "Scale").
/// </summary>
internal static class ScaleBench
{
    private const double GoalPlacementsPerSecond = 10_000, GoalP99Ms = 1000, NomadC1M = 3_750;
    private const long GoalMemory = 1L << 30;

    public static async Task<int> RunAsync(string[] args, string root, CancellationToken ct)
    {
        var quick = args.Contains("--quick");
        var sizes = Arg(args, "--sizes") is { } s ? s.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray()
            : quick ? [1_000, 10_000] : [10_000, 100_000];
        var agentCount = Arg(args, "--agents") is { } a ? int.Parse(a, CultureInfo.InvariantCulture) : quick ? 200 : 1_000;
        var postgres = Arg(args, "--postgres");
        var timeout = TimeSpan.FromMinutes(15);

        Console.WriteLine($"Hangar scale bench — {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}{(quick ? " (--quick)" : "")}");
        Console.WriteLine($"host: {Environment.ProcessorCount} cores, load {Load()}, .NET {Environment.Version}");
        Console.WriteLine($"{agentCount} fake agents (real WebSocket clients in this process, joined with a join token, protocol v{Hangar.Protocol.Agent.AgentProtocol.Version}, " +
                          "each answers every desired state at once with its VMs running+healthy) against a control plane in its own process");
        Console.WriteLine("(hangard's GC settings, JIT); fleet: N VMs of image tiny, 128MiB; change = every 10th VM's memory → 192MiB.");
        Console.WriteLine($"engines: SQLite (file in the root, synchronous=FULL){(postgres is null ? "; PostgreSQL skipped (no --postgres)" : "; PostgreSQL 15 on a unix socket (scripts/postgres-dev.sh: fsync=off)")}");
        Console.WriteLine();

        var results = new List<ScaleFigures>();
        var round = 0;
        foreach (var n in sizes)
        {
            foreach (var engine in postgres is null ? ["sqlite"] : new[] { "sqlite", "postgres" })
            {
                var directory = Path.Combine(root, $"{engine}-{n}");
                var store = engine == "sqlite" ? "sqlite:" + Path.Combine(directory, "state.db") : "postgres:" + await CreateDatabaseAsync(postgres!, $"scale{++round}", ct);
                Console.Write($"N={n:N0} on {engine} ... ");
                var figures = await ScaleRound.RunAsync(engine, store, directory, n, agentCount, timeout, ct);
                Console.WriteLine($"confirmed in {figures.Confirm / 1000:0.0} s, change in {figures.ConfirmChange / 1000:0.0} s (load {Load()})");
                results.Add(figures);
            }
        }
        Console.WriteLine();
        ScaleReport.Print(results, GoalPlacementsPerSecond, GoalP99Ms, GoalMemory, NomadC1M);
        Console.WriteLine($"host after run: load {Load()}");
        return 0;
    }

    private static async Task<string> CreateDatabaseAsync(string connectionString, string name, CancellationToken ct)
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return new NpgsqlConnectionStringBuilder(connectionString) { Database = name }.ConnectionString;
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static string Load()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }
}
