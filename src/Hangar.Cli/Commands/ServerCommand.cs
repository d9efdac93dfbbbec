using System.CommandLine;
using Hangar.Cli.Server;
using Hangar.ControlPlane;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar server</c>: run the control plane (and a local agent) in the foreground. <c>hangar up</c> starts one in
/// the background by itself; run this directly under systemd or to watch its log.
/// </summary>
public static class ServerCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen")
        {
            Description = "Address of the API and agent endpoint.",
            DefaultValueFactory = _ => ControlPlaneOptions.DefaultListen,
        };
        var noAgent = new Option<bool>("--no-agent") { Description = "Run only the control plane; agents connect from other hosts." };
        var detached = new Option<bool>("--detached") { Description = "Log to $HANGAR_HOME/hangar.log instead of the terminal.", Hidden = true };
        var command = new Command("server", "Run the Hangar control plane and a local agent in the foreground.") { listen, noAgent, ApplyFlow.Accel, detached };
        CommandContext.Bind(command, (context, ct) => EmbeddedServer.RunAsync(context.Home, context.Get(listen)!, !context.Get(noAgent),
            ApplyFlow.AccelFrom(context.Get(ApplyFlow.Accel)), context.Get(detached), ct));
        return command;
    }
}
