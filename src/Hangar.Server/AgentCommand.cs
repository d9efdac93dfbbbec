using System.CommandLine;
using System.Runtime.InteropServices;
using Hangar.Agent;
using Microsoft.Extensions.Logging;

namespace Hangar.Server;

/// <summary>
/// <c>hangar agent</c>: run only an agent, connected to a control plane elsewhere (<c>hangar server --no-agent</c>).
/// It keeps running its last desired state while the control plane is unreachable.
/// </summary>
public static class AgentCommand
{
    public static Command Create()
    {
        var url = new Option<Uri>("--control-plane-url")
        {
            Description = "The control plane's agent endpoint, e.g. ws://10.0.0.1:7600/agent/ws.",
            Required = true,
            // System.CommandLine 2.0 has no parser for Uri: without this, every URL was refused.
            CustomParser = r =>
            {
                var text = r.Tokens.Single().Value;
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "ws" or "wss") return uri;
                r.AddError($"'{text}' is not a control plane URL; write it like ws://10.0.0.1:7600/agent/ws (or wss://).");
                return null;
            },
        };
        var tokenFile = new Option<string>("--token-file")
        {
            Description = "File holding the agent credential (the server's $HANGAR_HOME/control-plane/agent-token).",
            Required = true,
        };
        var name = new Option<string?>("--name") { Description = "The agent's name (default: the host name)." };
        var command = new Command("agent", "Run an agent that takes its VMs from a control plane on another host.") { url, tokenFile, name, DaemonGlobals.Accel };
        command.SetAction((parse, ct) => DaemonGlobals.GuardAsync(async () =>
        {
            var home = DaemonGlobals.ResolveHome(parse);
            var accel = DaemonGlobals.AccelFrom(parse.GetValue(DaemonGlobals.Accel));
            var credential = (await File.ReadAllTextAsync(parse.GetValue(tokenFile)!, ct)).Trim();
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Information));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            if (PrivateFiles.CreateHome(home, HomeDirectory.IsDefault(home)) is { } warning) loggers.CreateLogger("Hangar.Agent").LogWarning("{Warning}", warning);
            await using var agent = new AgentHost(AgentOptions.ForHome(home, parse.GetValue(name), accel), loggers);
            agent.Start(parse.GetValue(url)!, credential);
            try { await Task.Delay(Timeout.Infinite, stop.Token); }
            catch (OperationCanceledException) { }
            return DaemonGlobals.Ok;
        }));
        return command;
    }
}
