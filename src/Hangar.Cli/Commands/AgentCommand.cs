using System.CommandLine;
using System.Runtime.InteropServices;
using Hangar.Agent;
using Hangar.Cli.Daemon;
using Microsoft.Extensions.Logging;

namespace Hangar.Cli.Commands;

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
        };
        var tokenFile = new Option<string>("--token-file")
        {
            Description = "File holding the agent credential (the server's $HANGAR_HOME/control-plane/agent-token).",
            Required = true,
        };
        var name = new Option<string?>("--name") { Description = "The agent's name (default: the host name)." };
        var command = new Command("agent", "Run an agent that takes its VMs from a control plane on another host.") { url, tokenFile, name, ApplyFlow.Accel };
        CommandContext.Bind(command, async (context, ct) =>
        {
            var credential = (await File.ReadAllTextAsync(context.Get(tokenFile)!, ct)).Trim();
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Information));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            if (PrivateFiles.CreateHome(context.Home, context.Home == CliGlobals.DefaultHome()) is { } warning) loggers.CreateLogger("Hangar.Agent").LogWarning("{Warning}", warning);
            await using var agent = new AgentHost(AgentOptions.ForHome(context.Home, context.Get(name), ApplyFlow.AccelFrom(context.Get(ApplyFlow.Accel))), loggers);
            agent.Start(context.Get(url)!, credential);
            try { await Task.Delay(Timeout.Infinite, stop.Token); }
            catch (OperationCanceledException) { }
            return ExitCodes.Ok;
        });
        return command;
    }
}
