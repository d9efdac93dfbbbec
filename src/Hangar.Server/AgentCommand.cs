using System.CommandLine;
using System.Runtime.InteropServices;
using Hangar.Agent;
using Hangar.Agent.Connection;
using Hangar.Protocol.Api;
using Hangar.Protocol.Tls;
using Hangar.Server.Logging;
using Hangar.Server.Systemd;
using Microsoft.Extensions.Logging;

namespace Hangar.Server;

/// <summary>
/// <c>hangar agent</c>: run only an agent, connected to a control plane elsewhere (<c>hangar server --no-agent</c>).
/// The first start exchanges a join token for the agent's own credential (kept in <c>agent/credential.json</c>); later
/// starts use that. It keeps running its last desired state while the control plane is unreachable, and stops (exit 1)
/// when the control plane refuses its token or credential.
/// </summary>
public static class AgentCommand
{
    public static Command Create()
    {
        var server = new Option<string?>("--server", "--control-plane-url")
        {
            Description = "The control plane, e.g. http://10.0.0.1:7600 (an old-style ws://HOST:PORT/agent/ws works too); its replicas separated by commas (tried in turn: the agent joins through the first that answers and reconnects to another when one goes away). Needed to join; later taken from the credential file.",
        };
        var joinToken = new Option<string?>("--join-token")
        {
            Description = "A join token from `hangar token create`, used once to get this agent's own credential (default: $HANGAR_JOIN_TOKEN).",
        };
        var fingerprint = new Option<string?>("--server-fingerprint")
        {
            Description = "The control plane's certificate fingerprint (sha256:…, printed by `hangar token create` and at the server's start), pinned at join and kept with the credential (default: $HANGAR_SERVER_FINGERPRINT). Without it an https:// server must have a certificate the system trusts.",
        };
        var name = new Option<string?>("--name") { Description = "The agent's name when it joins (default: the host name)." };
        var labels = new Option<string[]>("--labels")
        {
            Description = "Labels to join with, as k=v (repeat, or separate with commas); the token's labels win.",
            AllowMultipleArgumentsPerToken = true,
        };
        var qemuUids = new Option<string?>("--qemu-uids")
        {
            Description = "The user ids this agent's QEMUs drop to after they start, one per VM, as FIRST-LAST, or 'off' to keep them root (default as root: 1879048192-1879113727, or $HANGAR_QEMU_UIDS; an agent that is not root keeps its own user).",
        };
        var metricsListen = new Option<string?>("--metrics-listen")
        {
            Description = "Serve Prometheus metrics (this agent's VMs: CPU time, memory, phase; QMP latency) on http://ADDR:PORT/metrics: PORT alone listens on 127.0.0.1. No token is asked: open it beyond loopback only on a trusted network. Off by default.",
        };
        var runtimeDir = new Option<string?>("--runtime-dir")
        {
            Description = "Where the VMs' QMP sockets, pid files and runtime records go, in a subdirectory per home (default: $HANGAR_RUNTIME_DIR, else /run/hangar when writable, else $XDG_RUNTIME_DIR/hangar, else $TMPDIR/hangar-run-USER). Keep it short: a socket path has at most 107 bytes.",
        };
        var logLevel = new Option<string?>("--log-level") { Description = DaemonGlobals.LogLevelDescription };
        var logFormat = new Option<string?>("--log-format") { Description = DaemonGlobals.LogFormatDescription };
        var command = new Command("agent", "Run an agent that takes its VMs from a control plane on another host. (To manage agents: hangar agent list|show|cordon|uncordon|remove.)") { server, joinToken, fingerprint, name, labels, DaemonGlobals.Accel, runtimeDir, logLevel, logFormat, qemuUids, metricsListen };
        command.SetAction((parse, ct) => DaemonGlobals.GuardAsync(async () =>
        {
            var home = DaemonGlobals.ResolveHome(parse);
            var accel = DaemonGlobals.AccelFrom(parse.GetValue(DaemonGlobals.Accel));
            // A bad range is an InvalidOperationException: one line and exit 1 (GuardAsync).
            var qemuUsers = Hangar.Agent.Confinement.QemuUserRange.ForThisProcess(parse.GetValue(qemuUids));
            var logSettings = DaemonGlobals.LogFrom(parse.GetValue(logLevel), parse.GetValue(logFormat));
            using var logOutput = DaemonLoggerProvider.ToStandardError(logSettings.Level, logSettings.Format);
            using var loggers = LoggerFactory.Create(b => LogSettings.Configure(b, logOutput, logSettings.Level));
            var log = loggers.CreateLogger("Hangar.Agent");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            if (PrivateFiles.CreateHome(home, HomeDirectory.IsDefault(home)) is { } warning) log.LogWarning("{Warning}", warning);
            AgentCredential credential;
            try
            {
                credential = await CredentialAsync(home, ServerUrls(parse.GetValue(server)), parse.GetValue(joinToken) ?? Environment.GetEnvironmentVariable("HANGAR_JOIN_TOKEN"),
                    PinFrom(parse.GetValue(fingerprint) ?? Environment.GetEnvironmentVariable("HANGAR_SERVER_FINGERPRINT")),
                    parse.GetValue(name), LabelArguments.Parse(parse.GetValue(labels) ?? []), log, stop.Token);
            }
            catch (AgentRefusedException e)
            {
                log.LogCritical("{Message}", e.Message);
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return DaemonGlobals.Error;
            }
            catch (HttpRequestException e)
            {
                throw new IOException($"Could not reach the control plane to join: {e.Message}", e);
            }
            var agentOptions = AgentOptions.ForHome(home, credential.Name, accel, DaemonGlobals.RuntimeRootFrom(parse.GetValue(runtimeDir))) with
            {
                ServerPin = credential.ServerFingerprint is { } pinned ? CertificatePin.Parse(pinned) : null,
                QemuUsers = qemuUsers,
            };
            await using var agent = new AgentHost(agentOptions, loggers);
            agent.Start((credential.Servers ?? [credential.Server]).Select(s => AgentJoin.SocketUrl(new Uri(s))).ToArray(), credential.Credential);
            await using var metrics = parse.GetValue(metricsListen) is { } metricsAddress ? await MetricsListener.ForAgentAsync(metricsAddress, agent, log, stop.Token) : null;
            ServiceNotifier.Ready($"Agent {credential.Name} of {credential.Server}");
            try
            {
                await agent.Stopped.WaitAsync(stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return DaemonGlobals.Ok;
            }
            catch (AgentRefusedException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return DaemonGlobals.Error;
            }
            return DaemonGlobals.Ok;
        }));
        return command;
    }

    /// <summary>The addresses of <c>--server</c> (one per replica, separated by commas); empty when it was not given.</summary>
    private static Uri[] ServerUrls(string? text) =>
        text is null ? []
        : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
            Uri.TryCreate(part, UriKind.Absolute, out var url) ? url
            : throw new InvalidOperationException($"--server: '{part}' is not an address; write it like http://10.0.0.1:7600 (replicas separated by commas).")).ToArray();

    /// <summary>The credential kept in the home, else one got by joining with <paramref name="joinToken"/>.</summary>
    private static CertificatePin? PinFrom(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try { return CertificatePin.Parse(text); }
        catch (FormatException e) { throw new InvalidOperationException($"--server-fingerprint: {e.Message}", e); }
    }

    private static async Task<AgentCredential> CredentialAsync(string home, Uri[] servers, string? joinToken, CertificatePin? pin, string? name,
        IReadOnlyDictionary<string, string> labels, ILogger log, CancellationToken ct)
    {
        if (AgentCredential.TryRead(home) is { } kept)
        {
            if (name is not null && name != kept.Name)
                throw new InvalidOperationException($"This agent joined as '{kept.Name}' ({AgentCredential.PathFor(home)}); it cannot be renamed to '{name}'. " +
                    "Remove it (hangar agent remove) and delete that file to join again under another name.");
            var given = servers.Select(s => AgentJoin.BaseUrl(s).ToString()).ToArray();
            var known = kept.Servers ?? [kept.Server];
            if (given.Length > 0 && !given.Contains(kept.Server) && !given.Any(known.Contains))
                throw new InvalidOperationException($"This agent joined the control plane at {kept.Server} ({AgentCredential.PathFor(home)}), not {string.Join(", ", given)}. " +
                    "Delete that file to join another one.");
            // The replicas given now are the ones to connect to (one may have been added or replaced).
            if (given.Length > 0 && !given.SequenceEqual(known))
            {
                kept = kept with { Servers = given };
                kept.Write(home);
            }
            if (pin is not null && pin.Fingerprint != kept.ServerFingerprint)
                throw new InvalidOperationException($"This agent pinned the control plane's certificate {kept.ServerFingerprint ?? "(none: it trusts the system's authorities)"} when it joined ({AgentCredential.PathFor(home)}), not {pin.Fingerprint}. " +
                    "Delete that file and join again to pin another certificate.");
            if (joinToken is not null) log.LogInformation("Already joined as {Name}; the join token is not needed and was not used", kept.Name);
            return kept;
        }
        if (servers.Length == 0 || joinToken is null)
            throw new InvalidOperationException("This agent has not joined a control plane yet: give --server URL and --join-token TOKEN (make one with `hangar token create` on the server's side).");
        if (pin is null && AgentJoin.BaseUrl(servers[0]).Scheme == "https")
            log.LogInformation("No --server-fingerprint: the control plane's certificate must be trusted by the system's certificate authorities");
        AgentCredential? joined = null;
        for (var i = 0; joined is null; i++)
        {
            try
            {
                joined = await AgentJoin.JoinAsync(servers[i], joinToken, name ?? Environment.MachineName.ToLowerInvariant(), labels, pin, ct);
            }
            catch (HttpRequestException) when (i + 1 < servers.Length)
            {
                log.LogWarning("Could not reach {Server} to join; trying {Next}", servers[i], servers[i + 1]);
            }
        }
        if (servers.Length > 1) joined = joined with { Servers = servers.Select(s => AgentJoin.BaseUrl(s).ToString()).ToArray() };
        joined.Write(home);
        log.LogInformation("Joined {Server} as {Name}; credential kept in {Path}", joined.Server, joined.Name, AgentCredential.PathFor(home));
        return joined;
    }
}
