using System.CommandLine;
using System.Runtime.InteropServices;
using Hangar.Agent;
using Hangar.Agent.Connection;
using Hangar.Protocol.Api;
using Hangar.Protocol.Tls;
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
            Description = "The control plane, e.g. http://10.0.0.1:7600 (an old-style ws://HOST:PORT/agent/ws works too). Needed to join; later taken from the credential file.",
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
        var command = new Command("agent", "Run an agent that takes its VMs from a control plane on another host. (To manage agents: hangar agent list|show|cordon|uncordon|remove.)") { server, joinToken, fingerprint, name, labels, DaemonGlobals.Accel };
        command.SetAction((parse, ct) => DaemonGlobals.GuardAsync(async () =>
        {
            var home = DaemonGlobals.ResolveHome(parse);
            var accel = DaemonGlobals.AccelFrom(parse.GetValue(DaemonGlobals.Accel));
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Information));
            var log = loggers.CreateLogger("Hangar.Agent");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            if (PrivateFiles.CreateHome(home, HomeDirectory.IsDefault(home)) is { } warning) log.LogWarning("{Warning}", warning);
            AgentCredential credential;
            try
            {
                credential = await CredentialAsync(home, ServerUrl(parse.GetValue(server)), parse.GetValue(joinToken) ?? Environment.GetEnvironmentVariable("HANGAR_JOIN_TOKEN"),
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
            var agentOptions = AgentOptions.ForHome(home, credential.Name, accel) with
            {
                ServerPin = credential.ServerFingerprint is { } pinned ? CertificatePin.Parse(pinned) : null,
            };
            await using var agent = new AgentHost(agentOptions, loggers);
            agent.Start(AgentJoin.SocketUrl(new Uri(credential.Server)), credential.Credential);
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

    private static Uri? ServerUrl(string? text) =>
        text is null ? null
        : Uri.TryCreate(text, UriKind.Absolute, out var url) ? url
        : throw new InvalidOperationException($"--server: '{text}' is not an address; write it like http://10.0.0.1:7600.");

    /// <summary>The credential kept in the home, else one got by joining with <paramref name="joinToken"/>.</summary>
    private static CertificatePin? PinFrom(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try { return CertificatePin.Parse(text); }
        catch (FormatException e) { throw new InvalidOperationException($"--server-fingerprint: {e.Message}", e); }
    }

    private static async Task<AgentCredential> CredentialAsync(string home, Uri? server, string? joinToken, CertificatePin? pin, string? name,
        IReadOnlyDictionary<string, string> labels, ILogger log, CancellationToken ct)
    {
        if (AgentCredential.TryRead(home) is { } kept)
        {
            if (name is not null && name != kept.Name)
                throw new InvalidOperationException($"This agent joined as '{kept.Name}' ({AgentCredential.PathFor(home)}); it cannot be renamed to '{name}'. " +
                    "Remove it (hangar agent remove) and delete that file to join again under another name.");
            if (server is not null && AgentJoin.BaseUrl(server).ToString() != kept.Server)
                throw new InvalidOperationException($"This agent joined the control plane at {kept.Server} ({AgentCredential.PathFor(home)}), not {AgentJoin.BaseUrl(server)}. " +
                    "Delete that file to join another one.");
            if (pin is not null && pin.Fingerprint != kept.ServerFingerprint)
                throw new InvalidOperationException($"This agent pinned the control plane's certificate {kept.ServerFingerprint ?? "(none: it trusts the system's authorities)"} when it joined ({AgentCredential.PathFor(home)}), not {pin.Fingerprint}. " +
                    "Delete that file and join again to pin another certificate.");
            if (joinToken is not null) log.LogInformation("Already joined as {Name}; the join token is not needed and was not used", kept.Name);
            return kept;
        }
        if (server is null || joinToken is null)
            throw new InvalidOperationException("This agent has not joined a control plane yet: give --server URL and --join-token TOKEN (make one with `hangar token create` on the server's side).");
        if (pin is null && AgentJoin.BaseUrl(server).Scheme == "https")
            log.LogInformation("No --server-fingerprint: the control plane's certificate must be trusted by the system's certificate authorities");
        var joined = await AgentJoin.JoinAsync(server, joinToken, name ?? Environment.MachineName.ToLowerInvariant(), labels, pin, ct);
        joined.Write(home);
        log.LogInformation("Joined {Server} as {Name}; credential kept in {Path}", joined.Server, joined.Name, AgentCredential.PathFor(home));
        return joined;
    }
}
