using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Hangar.Agent;
using Hangar.ControlPlane;
using Hangar.Protocol.Tls;
using Hangar.Server.Configuration;
using Hangar.Server.Logging;
using Hangar.Server.Systemd;
using Hangar.State;
using Microsoft.Extensions.Logging;

namespace Hangar.Server;

/// <summary>
/// <c>hangar server</c>: the control plane (state in SQLite in the home, or where <c>--store</c> says) and, unless told
/// otherwise, a local agent, in one process. The agent still talks to the control plane over the WebSocket protocol on
/// loopback, as a remote one would.
/// VMs outlive this process; the next server adopts them.
/// </summary>
public static class EmbeddedServer
{
    /// <param name="settings">What to run with (<see cref="ServerSettings"/>); a null store is the SQLite file in the home.</param>
    public static async Task<int> RunAsync(string home, ServerSettings settings, bool detached, CancellationToken ct)
    {
        var address = ListenAddress.Decide(settings.Listen ?? ControlPlaneOptions.DefaultListen, settings.Tls, settings.TlsCert is not null, settings.InsecureHttp);
        var (store, withAgent, accel) = (settings.Store, !settings.NoAgent, settings.Accel);
        var homeWarning = PrivateFiles.CreateHome(home, HomeDirectory.IsDefault(home));
        FileStream serverLock;
        try
        {
            serverLock = new FileStream(Path.Combine(home, "server.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            await Console.Error.WriteLineAsync($"A Hangar server already runs for {home}.");
            return DaemonGlobals.Error;
        }
        await using var _ = serverLock;

        // One log for the control plane and the agent, one writer (so lines never interleave): a detached server writes
        // it to a file, a foreground one to stderr (the journal under systemd).
        var logSettings = settings.Logging;
        using var logOutput = detached ? DaemonLoggerProvider.ToFile(Path.Combine(home, "hangar.log"), logSettings.Level, logSettings.Format)
            : DaemonLoggerProvider.ToStandardError(logSettings.Level, logSettings.Format);
        void ConfigureLogging(ILoggingBuilder builder) => LogSettings.Configure(builder, new NonDisposingProvider(logOutput), logSettings.Level);
        using var loggers = LoggerFactory.Create(ConfigureLogging);
        var log = loggers.CreateLogger("Hangar.Server");
        if (homeWarning is not null) log.LogWarning("{Warning}", homeWarning);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });

        var tls = address.Tls ? ServerTlsSetup.Load(home, settings, address) : null;
        var options = new ControlPlaneOptions(address.Url, Path.Combine(home, "control-plane", "state.db"), ApiToken: NewToken())
        {
            Certificate = tls?.Certificate,
            AdminTokenPath = AdminTokenPathFor(home),
            // The image store is the local agent's own image cache (HOME/blobs/sha256): on one machine an uploaded image
            // is kept once, and the local agent finds it there without a download.
            ImagesDirectory = AgentOptions.ForHome(home).BlobsDirectory,
            // Among replicas on one PostgreSQL: host:port when the port is fixed, else host and process id.
            Advertise = settings.Advertise,
            ReplicaId = address.Port != 0 ? $"{Environment.MachineName}:{address.Port}" : $"{Environment.MachineName}:pid{Environment.ProcessId}",
        };
        if (store is not null) options = options with { Store = store };
        await using var server = await ControlPlaneServer.StartAsync(options, ConfigureLogging, ct);
        ServerTlsSetup.Announce(server, tls, address, log);
        if (server.AdminTokenWritten) log.LogInformation(Notice, "Wrote an admin API token to {Path} (0600); give it to `hangar login` or HANGAR_TOKEN", options.AdminTokenPath);
        AgentHost? agent = null;
        Hangar.Agent.Metrics.AgentMetrics? agentMetrics = null;
        if (withAgent)
        {
            // The local agent needs no join token: the server issues its credential in-process at every start (the
            // previous one stops working), and it is never written anywhere.
            var agentOptions = AgentOptions.ForHome(home, accelerator: accel) with
            {
                ServerPin = tls is null ? null : CertificatePin.Parse(server.Fingerprint!),
                SharesImageStore = true,
            };
            agent = new AgentHost(agentOptions, loggers);
            agent.Start(server.AgentUrl, await server.IssueLocalAgentCredentialAsync(agentOptions.Name, ct));
            server.LocalDomains.Source = new AgentDomainSource(agent);
            // The local agent's metrics (its VMs' CPU and memory, QMP latency) are served with the control plane's.
            agentMetrics = new Hangar.Agent.Metrics.AgentMetrics(agent.Reconciler, () => agent.Connection?.Connected ?? false).AddTo(server.Metrics);
        }
        PrivateFiles.WriteAllText(DaemonInfo.PathFor(home), new DaemonInfo(server.Url.ToString(), options.ApiToken, Environment.ProcessId) { Fingerprint = server.Fingerprint }.ToJson());
        // The store's ToString masks a password: a connection string is never logged whole.
        log.LogInformation(Notice, "Hangar server for {Home} listening on {Url} (pid {Pid}), state in {Store}", home, server.Url, Environment.ProcessId, options.Store.ToString());
        ServiceNotifier.Ready($"Listening on {server.Url}");
        try
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, server.ShutdownRequested);
            await Task.Delay(Timeout.Infinite, both.Token);
        }
        catch (OperationCanceledException)
        {
        }
        log.LogInformation(Notice, "Stopping the Hangar server; VMs keep running");
        ServiceNotifier.Stopping();
        if (DaemonInfo.TryRead(home)?.Pid == Environment.ProcessId) File.Delete(DaemonInfo.PathFor(home));
        if (agent is not null) await agent.DisposeAsync();
        agentMetrics?.Dispose();
        return DaemonGlobals.Ok;
    }

    private static readonly EventId Notice = new(1, DaemonLogLevels.NoticeEventName);

    /// <summary>Shares one provider between two logger factories; its owner disposes it.</summary>
    private sealed class NonDisposingProvider(ILoggerProvider inner) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => inner.CreateLogger(categoryName);
        public void Dispose() { }
    }

    /// <summary>Where a server writes its first admin API token: <c>control-plane/admin-token</c> under the home.</summary>
    public static string AdminTokenPathFor(string home) => Path.Combine(home, "control-plane", "admin-token");

    private static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
