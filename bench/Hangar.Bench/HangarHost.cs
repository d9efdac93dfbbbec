using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Hangar.Agent;
using Hangar.Agent.Vms;
using Hangar.Client;
using Hangar.Server;
using Hangar.Server.Logging;
using Hangar.ControlPlane;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Microsoft.Extensions.Logging;

namespace Hangar.Bench;

/// <summary>
/// A control plane and a local agent in this process, set up as <c>hangar server</c> does (EmbeddedServer.RunAsync,
/// detached flavour: log to $HANGAR_HOME/hangar.log at Information), with the accelerator fixed to TCG. The bench
/// talks to it through <see cref="HangarClient"/>, the CLI's own API client, over loopback HTTP.
/// </summary>
internal sealed class HangarHost : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;
    private readonly ControlPlaneServer _server;
    private readonly DaemonLoggerProvider _serverLog;

    // Agent-side timeline (in-process, before the WebSocket report and the watch stream): first time each
    // VM was seen in a phase/detail. Key: "vm|Phase|detail".
    private readonly ConcurrentDictionary<string, long> _agentSeen = new(StringComparer.Ordinal);
    private volatile bool _recording;

    private HangarHost(string home, ILoggerFactory loggers, DaemonLoggerProvider serverLog, ControlPlaneServer server, AgentHost agent, HangarClient client)
    {
        Home = home;
        _loggers = loggers;
        _serverLog = serverLog;
        _server = server;
        Agent = agent;
        Client = client;
        agent.Reconciler.Changed += OnAgentChanged;
    }

    public string Home { get; }
    public AgentHost Agent { get; }
    public HangarClient Client { get; }

    public static async Task<HangarHost> StartAsync(string home, CancellationToken ct)
    {
        Directory.CreateDirectory(home);
        var logPath = Path.Combine(home, "hangar.log");
        var loggers = LoggerFactory.Create(builder =>
        {
            builder.AddProvider(DaemonLoggerProvider.ToFile(logPath, DaemonLogLevel.Info, LogFormat.Text));
            builder.SetMinimumLevel(LogLevel.Information);
            builder.AddFilter("Microsoft", LogLevel.Warning);
        });
        var serverLog = DaemonLoggerProvider.ToFile(logPath, DaemonLogLevel.Info, LogFormat.Text);
        var options = new ControlPlaneOptions(ControlPlaneOptions.DefaultListen, Path.Combine(home, "control-plane", "state.db"),
            ApiToken: NewToken());
        var server = await ControlPlaneServer.StartAsync(options, b =>
        {
            b.AddProvider(serverLog);
            b.AddFilter("Microsoft", LogLevel.Warning);
        }, ct);
        var agentOptions = AgentOptions.ForHome(home, accelerator: AcceleratorSetting.Tcg);
        var agent = new AgentHost(agentOptions, loggers);
        agent.Start(server.AgentUrl, await server.IssueLocalAgentCredentialAsync(agentOptions.Name, ct));
        var client = new HangarClient(server.Url, options.ApiToken);
        var host = new HangarHost(home, loggers, serverLog, server, agent, client);
        // Ready once the agent has said hello.
        var deadline = Stopwatch.StartNew();
        while (!(await client.GetFleetAsync(ct)).Agents.Any(a => a.Connected))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("The agent did not connect to the control plane.");
            await Task.Delay(20, ct);
        }
        return host;
    }

    private static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public string SerialLogOf(string vm) => VmPaths.For(Agent.Options, vm).SerialLog;

    private void OnAgentChanged()
    {
        if (!_recording) return;
        var now = Stopwatch.GetTimestamp();
        foreach (var vm in Agent.Reconciler.Snapshot().Vms)
        {
            var detail = vm.Detail is { } d && d.StartsWith("retry", StringComparison.Ordinal) ? "retry" : vm.Detail;
            _agentSeen.TryAdd($"{vm.Name}|{vm.Phase}|{detail}", now);
        }
    }

    public static string FleetYaml(IReadOnlyList<string> names, int memoryMiB)
    {
        var text = new System.Text.StringBuilder("vms:\n");
        foreach (var name in names) text.Append($"  {name}:\n    image: tiny\n    memory: {memoryMiB}MiB\n");
        return text.ToString();
    }

    /// <summary>
    /// Applies a fleet of <paramref name="names"/> (as <c>hangar up</c> does: StartStopped) and follows the watch
    /// stream until every VM's phase is Running. Returns the timestamps.
    /// </summary>
    public async Task<HangarRound> UpAsync(IReadOnlyList<string> names, int memoryMiB, Func<long, Task>? afterApply, TimeSpan timeout, CancellationToken ct)
    {
        using var watchCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        watchCts.CancelAfter(timeout);
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        var runningSeen = new Dictionary<string, long>(StringComparer.Ordinal);
        var pids = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstLine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? lastProblem = null;
        var watch = Task.Run(async () =>
        {
            await foreach (var status in Client.WatchAsync(watchCts.Token))
            {
                var now = Stopwatch.GetTimestamp();
                firstLine.TrySetResult();
                foreach (var vm in status.Vms)
                {
                    if (!wanted.Contains(vm.Name)) continue;
                    if (vm.Phase == VmPhase.Running && !runningSeen.ContainsKey(vm.Name)) runningSeen[vm.Name] = now;
                    if (vm.Pid is { } pid) pids[vm.Name] = pid;
                    if (vm.Phase == VmPhase.Failed) lastProblem = $"{vm.Name}: {vm.LastError}";
                }
                if (runningSeen.Count == wanted.Count) return;
            }
        }, CancellationToken.None);
        await firstLine.Task.WaitAsync(watchCts.Token);

        _agentSeen.Clear();
        _recording = true;
        var request = new ApplyRequest("bench.yaml", FleetYaml(names, memoryMiB), Home, "bench", StartStopped: true);
        var cpu0 = Proc.SelfCpuMs();
        var t0 = Stopwatch.GetTimestamp();
        await Client.ApplyAsync(request, ct);
        var accepted = Stopwatch.GetTimestamp();
        var afterApplyTask = afterApply?.Invoke(t0) ?? Task.CompletedTask;
        try
        {
            await watch;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"Not every VM was Running within {timeout.TotalSeconds:0} s ({runningSeen.Count}/{names.Count}). {lastProblem}");
        }
        var cpu = Proc.SelfCpuMs() - cpu0;
        _recording = false;
        await afterApplyTask;
        return new HangarRound(t0, accepted, runningSeen, new Dictionary<string, long>(_agentSeen), pids, cpu);
    }

    /// <summary>
    /// <c>hangar down --purge</c>, then SIGKILL the QEMUs right away (a guest that has not finished booting ignores
    /// the ACPI power button, and the graceful stop would wait 30 s), and wait until the agent supervises nothing.
    /// </summary>
    public async Task DownAsync(IEnumerable<int> pids, CancellationToken ct)
    {
        await Client.DownAsync(purge: true, ct);
        var known = pids.Concat(Agent.Reconciler.Snapshot().Vms.Select(v => v.Pid ?? 0)).ToList();
        await Proc.KillAndWaitAsync(known, TimeSpan.FromSeconds(20));
        var deadline = Stopwatch.StartNew();
        while (Agent.Reconciler.Snapshot().Vms.Count > 0)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("The agent did not finish removing the VMs.");
            await Proc.KillAndWaitAsync(Agent.Reconciler.Snapshot().Vms.Select(v => v.Pid ?? 0), TimeSpan.FromSeconds(1));
            await Task.Delay(20, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Agent.Reconciler.Changed -= OnAgentChanged;
        Client.Dispose();
        await Agent.DisposeAsync(); // leaves QEMUs running by design; the bench kills them itself
        await _server.DisposeAsync();
        _loggers.Dispose();
        _serverLog.Dispose();
        try { if (Directory.Exists(Agent.Options.RuntimeDirectory)) Directory.Delete(Agent.Options.RuntimeDirectory, recursive: true); }
        catch (IOException) { }
    }
}

/// <param name="T0">Just before HangarClient.ApplyAsync was called.</param>
/// <param name="Accepted">ApplyAsync returned.</param>
/// <param name="WatchRunning">Per VM: first watch-stream line that showed it Running.</param>
/// <param name="AgentSeen">Per "vm|Phase|detail": first time the in-process agent's snapshot showed it.</param>
/// <param name="CpuMs">CPU time this process (control plane + agent + harness) used from T0 until every VM was Running.</param>
internal sealed record HangarRound(long T0, long Accepted, IReadOnlyDictionary<string, long> WatchRunning,
    IReadOnlyDictionary<string, long> AgentSeen, IReadOnlyDictionary<string, int> Pids, double CpuMs)
{
    public long AllRunning => WatchRunning.Values.Max();

    public long? Agent(string vm, VmPhase phase, string? detail = null) =>
        AgentSeen.TryGetValue($"{vm}|{phase}|{detail}", out var t) ? t : null;
}
