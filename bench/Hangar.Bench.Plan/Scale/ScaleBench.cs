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

        Console.WriteLine("0. Reading the fleet file alone (FleetParser.Parse in this process, no server; the server parses it on plan, and the apply of the same file takes that parse):");
        foreach (var n in sizes) Parse($"N={n:N0}, {ScaleRound.FleetYaml(n, false).Length:N0} B", ScaleRound.FleetYaml(n, false));
        // A file built to be expensive: a few KB of aliases that expand past the limit (docs/fleet-file.md, "Limits").
        var aliases = new System.Text.StringBuilder("vms: {a0: &m {image: tiny, forwards: &l [");
        aliases.AppendJoin(',', Enumerable.Repeat("1", 2000)).Append("]}");
        for (var i = 1; i < 12_000; i++) aliases.Append($", a{i}: *m");
        Parse($"aliases, {aliases.Length + 2:N0} B", aliases.Append("}\n").ToString());
        Console.WriteLine();

        var results = new List<ScaleFigures>();
        var failures = new List<string>();
        var round = 0;
        foreach (var n in sizes)
        {
            foreach (var engine in postgres is null ? ["sqlite"] : new[] { "sqlite", "postgres" })
            {
                var directory = Path.Combine(root, $"{engine}-{n}");
                var store = engine == "sqlite" ? "sqlite:" + Path.Combine(directory, "state.db") : "postgres:" + await CreateDatabaseAsync(postgres!, $"scale{++round}", ct);
                Console.Write($"N={n:N0} on {engine} ... ");
                var started = System.Diagnostics.Stopwatch.StartNew();
                ScaleFigures figures;
                try
                {
                    figures = await ScaleRound.RunAsync(engine, store, directory, n, agentCount, timeout, ct);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // What broke is a figure too: print it and go on with the next round.
                    Console.WriteLine($"FAILED after {started.Elapsed.TotalSeconds:0} s: {e.GetType().Name}: {e.Message}");
                    failures.Add($"N={n:N0} on {engine}: {e}");
                    continue;
                }
                Console.WriteLine($"confirmed in {figures.Confirm / 1000:0.0} s, change in {figures.ConfirmChange / 1000:0.0} s; round {started.Elapsed.TotalSeconds:0} s with set-up and teardown (load {Load()})");
                results.Add(figures);
            }
        }
        Console.WriteLine();
        if (results.Count > 0) ScaleReport.Print(results, GoalPlacementsPerSecond, GoalP99Ms, GoalMemory, NomadC1M);
        foreach (var failure in failures) Console.WriteLine("failed: " + failure);
        Console.WriteLine($"host after run: load {Load()}");
        return 0;
    }

    private static void Parse(string what, string text)
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var t = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = Hangar.Spec.FleetParser.Parse(text, "fleet.yaml", Path.GetTempPath());
        var ms = System.Diagnostics.Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        var mb = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0;
        var outcome = result.IsValid ? $"{result.Spec!.Vms.Count:N0} VMs" : "refused: " + result.Errors[0].Message[..Math.Min(70, result.Errors[0].Message.Length)] + "…";
        Console.WriteLine($"   {what,-28} {ms,8:0} ms, {mb,7:0} MB allocated; {outcome}");
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
