using System.Diagnostics;
using System.Text;
using Hangar.Protocol.Api;
using Hangar.Testing;

namespace Hangar.Integration.Support;

/// <summary>
/// A control plane (<c>hangar server --no-agent</c>) and N agents, each a separate <c>hangar agent</c> process with its
/// own HANGAR_HOME (so its own state and runtime directories), all on loopback. CLI commands run against the server's
/// home (<see cref="Server"/>). Disposing kills only the processes it started and the QEMUs under its agents' runtime
/// directories, then deletes the homes.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly List<ClusterAgent> _agents = [];

    private Cluster(HangarHome server) => Server = server;

    /// <summary>The control plane's home: <c>Server.OkAsync("up", …)</c> and the like talk to the cluster.</summary>
    public HangarHome Server { get; }

    public IReadOnlyList<ClusterAgent> Agents => _agents;

    /// <summary>The control plane's agent endpoint.</summary>
    public Uri AgentUrl { get; private set; } = null!;

    /// <summary>Starts the server, then one agent per name, and waits until the server lists every agent as connected.</summary>
    public static Task<Cluster> StartAsync(params string[] agentNames) => StartAsync(agentNames, _ => []);

    /// <inheritdoc cref="StartAsync(string[])"/>
    /// <param name="agentArguments">More arguments of each agent's <c>hangar agent</c>, by name (a <c>--metrics-listen</c>).</param>
    public static async Task<Cluster> StartAsync(string[] agentNames, Func<string, string[]> agentArguments)
    {
        var cluster = new Cluster(new HangarHome());
        try
        {
            cluster.Start("server", cluster.Server.Path, ["server", "--no-agent"]);
            var info = await Eventually.WaitAsync(() => Task.FromResult(DaemonInfo.TryRead(cluster.Server.Path)), i => i is not null,
                TimeSpan.FromSeconds(60), "the server to write daemon.json");
            var url = new Uri(info!.Url);
            cluster.AgentUrl = new UriBuilder(url) { Scheme = "ws", Path = Hangar.Protocol.Agent.AgentProtocol.Path }.Uri;
            foreach (var name in agentNames) await cluster.StartAgentAsync(name, agentArguments(name));
            await Eventually.WaitAsync(cluster.Server.StatusAsync,
                s => agentNames.All(n => s.Agents.Any(a => a.Name == n && a.Connected)), TimeSpan.FromSeconds(60),
                "every agent to connect");
            return cluster;
        }
        catch (Exception e)
        {
            var logs = cluster.Logs();
            await cluster.DisposeAsync();
            throw new InvalidOperationException($"The cluster did not start: {e.Message}\n{logs}", e);
        }
    }

    /// <summary>
    /// The command line that joins an agent to this cluster: the one place that knows how an agent authenticates (a
    /// one-use join token from <c>hangar token create</c>, exchanged by the agent for its own credential).
    /// </summary>
    private async Task<string[]> AgentArgumentsAsync(string name)
    {
        var token = (await Server.OkAsync("token", "create", "--uses", "1")).Stdout.Trim();
        return ["agent", "--server", new UriBuilder(AgentUrl) { Scheme = "http", Path = "/" }.Uri.ToString(), "--join-token", token, "--name", name];
    }

    private async Task StartAgentAsync(string name, string[] more)
    {
        var home = new HangarHome();
        var process = Start(name, home.Path, [.. await AgentArgumentsAsync(name), .. more]);
        _agents.Add(new ClusterAgent(name, home, process));
    }

    /// <summary>Starts <c>hangar ARGS</c> against the server's home and keeps it running (a <c>logs --follow</c>, a console).</summary>
    public RunningCli StartCli(params string[] args) => new(Start("cli", Server.Path, args, redirectInput: true));

    private Process Start(string role, string home, IReadOnlyList<string> args, bool redirectInput = false)
    {
        var (fileName, prefix) = HangarCommand.Client;
        var psi = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
        };
        foreach (var arg in prefix.Concat(args)) psi.ArgumentList.Add(arg);
        psi.Environment["HANGAR_HOME"] = home;
        psi.Environment["HANGAR_ACCEL"] = "tcg";
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start hangar {string.Join(' ', args)} ({role}).");
        if (role != "cli")
        {
            // Daemons' logs are drained so they never block on a full pipe; a failing test prints them via Logs().
            var log = new StringBuilder();
            _logs[process] = log;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine($"[{role}] {e.Data}"); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine($"[{role}] {e.Data}"); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        _processes.Add(process);
        return process;
    }

    private readonly Dictionary<Process, StringBuilder> _logs = [];

    /// <summary>What the server and the agents logged so far, for a failing assertion's message.</summary>
    public string Logs() => string.Join("", _logs.Values.Select(l => { lock (l) return l.ToString(); }));

    public async ValueTask DisposeAsync()
    {
        // The server first (so it sends nothing more), then the agents; their QEMUs go with their homes.
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited) process.Kill();
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (InvalidOperationException) { }
            catch (TimeoutException) { }
            process.Dispose();
        }
        // A killed server leaves daemon.json behind; without it, the home's `down` finds no server rather than a dead one.
        File.Delete(DaemonInfo.PathFor(Server.Path));
        foreach (var agent in _agents) await agent.Home.DisposeAsync();
        await Server.DisposeAsync();
    }
}
