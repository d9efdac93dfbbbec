using System.Diagnostics;
using System.Text.Json;
using Hangar.Integration.Support;
using Hangar.Testing;
using Npgsql;

namespace Hangar.Integration.Cli;

/// <summary>
/// <c>hangar server --store postgres:…</c> against a real PostgreSQL (started by <see cref="PostgresCluster"/>): the
/// fleet applied through the client lands in the database, outlives the server's home, and the connection string's
/// password is never printed. One tiny guest under TCG, so that a rollout's health gate writes its outcome there too.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class PostgresStoreTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task Server_PostgresStore_KeepsGenerationsAndRolloutsInTheDatabaseAcrossHomesAndMasksThePassword()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        // The cluster trusts its socket, so the password is never checked: it is there to be masked.
        var store = $"postgres:{connectionString};Password=hunter2";
        await using var first = new HangarHome();
        await using var second = new HangarHome();

        var firstLog = await RunServerAsync(first, store, withAgent: true, async () =>
        {
            await first.OkAsync("up", first.WriteFleet("vms:\n  alpha:\n    image: tiny\n    memory: 96MiB\n"));
            Assert.Equal(new long[] { 1 }, await GenerationNumbersAsync(first));
            await first.OkAsync("down", "--purge"); // stops the guest, deletes its disk, stops the server
        });
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM generations WHERE number = 1 AND status = 'active' AND confirmed AND changed_vms LIKE '%alpha%'", connection);
            Assert.Equal(1L, await cmd.ExecuteScalarAsync());
            await using var events = new NpgsqlCommand("SELECT count(*) FROM events WHERE kind = 'vm.health' AND vm = 'alpha'", connection);
            Assert.NotEqual(0L, await events.ExecuteScalarAsync());
        }
        Assert.False(File.Exists(Path.Combine(first.Path, "control-plane", "state.db")), "the state went to PostgreSQL, not the home");

        // Another home, the same database: the generation is there.
        await RunServerAsync(second, store, withAgent: false, async () =>
        {
            Assert.Equal(new long[] { 1 }, await GenerationNumbersAsync(second));
        });

        Assert.Contains("state in postgres:", firstLog);
        Assert.Contains("Password=***", firstLog);
        Assert.DoesNotContain("hunter2", firstLog);
    }

    [Theory]
    [InlineData("mysql:Server=db;Password=hunter2", "error: --store: Store 'mysql:…' is not valid; use sqlite:PATH or postgres:CONNSTRING")]
    [InlineData("postgres:Host=/nonexistent-hangar-pg;Database=x;Password=hunter2;Timeout=3", "error: Could not open the state database postgres:Host=/nonexistent-hangar-pg;Database=x;Password=***;Timeout=3. Failed to connect to /nonexistent-hangar-pg/")]
    public async Task Server_BadOrUnreachableStore_IsOneLineWithoutThePassword(string store, string start)
    {
        await using var home = new HangarHome();

        var server = await home.RunAsync("server", "--no-agent", "--store", store);

        Assert.Equal(1, server.ExitCode);
        Assert.StartsWith(start, server.Stderr);
        Assert.Single(server.Stderr.TrimEnd().Split('\n'));
        Assert.DoesNotContain("hunter2", server.Stdout + server.Stderr);
    }

    private static async Task<long[]> GenerationNumbersAsync(HangarHome home)
    {
        var generations = await home.OkAsync("generations", "--output", "json");
        return JsonDocument.Parse(generations.Stdout).RootElement.EnumerateArray().Select(g => g.GetProperty("number").GetInt64()).ToArray();
    }

    /// <summary>Runs <c>hangar server --store STORE</c> in the foreground, then stops it (SIGTERM, unless <paramref name="whileRunning"/> did); returns all it printed.</summary>
    private static async Task<string> RunServerAsync(HangarHome home, string store, bool withAgent, Func<Task> whileRunning)
    {
        var (fileName, prefix) = HangarCommand.Client;
        var psi = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in prefix) psi.ArgumentList.Add(arg);
        foreach (var arg in new[] { "--home", home.Path, "server", "--store", store }) psi.ArgumentList.Add(arg);
        if (!withAgent) psi.ArgumentList.Add("--no-agent");
        psi.Environment["HANGAR_ACCEL"] = "tcg";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(home.ServerPid ?? (process.HasExited ? -1 : null)), p => p is not null, TimeSpan.FromSeconds(60), "daemon.json");
            if (process.HasExited) Assert.Fail($"The server exited: {await stdout}\n{await stderr}");
            await whileRunning();
            if (!process.HasExited) Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}");
        return output;
    }
}
