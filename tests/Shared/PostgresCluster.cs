using System.Runtime.InteropServices;
using Hangar.Processes;
using Npgsql;

namespace Hangar.Testing;

/// <summary>
/// A throwaway PostgreSQL server (Debian's <c>postgresql</c> package) for one test run: <c>initdb</c> into a temp
/// directory, <c>pg_ctl start</c> listening on a unix socket in that directory only (no TCP at all), stopped with
/// <c>pg_ctl stop -m immediate</c> and deleted on dispose. Each test gets a database of its own
/// (<see cref="CreateDatabaseAsync"/>). As root (tests and CI), the server runs as the <c>postgres</c> system user,
/// because <c>initdb</c> refuses root; scripts/postgres-dev.sh starts one the same way.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private const string Superuser = "hangar";
    private readonly string _directory = Directory.CreateTempSubdirectory("hangar-pg-").FullName;
    private string _bin = "";
    private int _databases;

    /// <summary>Where the server's socket lives: the <c>Host</c> of its connection strings.</summary>
    public string SocketDirectory => _directory;

    private string DataDirectory => Path.Combine(_directory, "data");

    public async Task InitializeAsync()
    {
        _bin = FindBinaries();
        await StopAbandonedAsync();
        await File.WriteAllTextAsync(Path.Combine(_directory, OwnerFile), Environment.ProcessId.ToString());
        if (RunsAsRoot)
        {
            // initdb refuses root; the postgres user (created by the package) owns the cluster's directory.
            await RunAsync("chown", ["postgres:postgres", _directory], asServer: false);
        }
        // trust: the only way in is the socket, in a directory only its owner (and root) can enter.
        await RunAsync(Path.Combine(_bin, "initdb"), ["-D", DataDirectory, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], asServer: true);
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["start", "-w", "-t", "60", "-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-o",
            $"-c listen_addresses='' -c unix_socket_directories='{_directory}' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"], asServer: true);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["stop", "-m", "immediate", "-w", "-D", DataDirectory], asServer: true);
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private const string OwnerFile = "owner.pid";

    /// <summary>
    /// A test host that was killed (a timeout, Ctrl-C) never disposes its cluster: the next run stops and deletes
    /// every cluster whose owning process is gone, so servers do not pile up on a developer's machine.
    /// </summary>
    private async Task StopAbandonedAsync()
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), "hangar-pg-*"))
        {
            var owner = Path.Combine(directory, OwnerFile);
            if (directory == _directory || !File.Exists(owner) || !int.TryParse(File.ReadAllText(owner), out var pid) || Directory.Exists($"/proc/{pid}"))
                continue;
            try
            {
                if (File.Exists(Path.Combine(directory, "data", "postmaster.pid")))
                    await RunAsync(Path.Combine(_bin, "pg_ctl"), ["stop", "-m", "immediate", "-w", "-D", Path.Combine(directory, "data")], asServer: true);
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                // Another run's leftover in a state we do not understand: leave it, it is not this run's.
            }
        }
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        return ConnectionString(name);
    }

    /// <summary>A connection string to <paramref name="database"/> as the cluster's superuser.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = _directory,
        Username = Superuser,
        Database = database,
    }.ConnectionString;

    private static bool RunsAsRoot => geteuid() == 0;

    [DllImport("libc")]
    private static extern uint geteuid();

    /// <summary>The newest installed major version's binaries (Debian keeps them off PATH).</summary>
    private static string FindBinaries()
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).ToList()
            : [];
        return versions.Count > 0
            ? Path.Combine(versions[0], "bin")
            : throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); run scripts/install-deps.sh.");
    }

    private async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asServer)
    {
        var (file, args) = asServer && RunsAsRoot ? ("runuser", (IReadOnlyList<string>)["-u", "postgres", "--", program, .. arguments]) : (program, arguments);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var result = await ProcessRunner.Instance.RunAsync(file, args, _directory, timeout.Token);
        if (result.ExitCode != 0)
        {
            var log = Path.Combine(_directory, "server.log");
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({result.ExitCode}): {result.StandardError.Trim()}"
                + (File.Exists(log) ? "\n" + File.ReadAllText(log) : ""));
        }
    }
}
