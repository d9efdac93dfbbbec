using System.CommandLine;
using Hangar.ControlPlane;

namespace Hangar.Server;

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
        var command = new Command("server", "Run the Hangar control plane and a local agent in the foreground.") { listen, noAgent, DaemonGlobals.Accel, detached };
        command.SetAction((parse, ct) => DaemonGlobals.GuardAsync(() => EmbeddedServer.RunAsync(DaemonGlobals.ResolveHome(parse),
            parse.GetValue(listen)!, !parse.GetValue(noAgent), DaemonGlobals.AccelFrom(parse.GetValue(DaemonGlobals.Accel)), parse.GetValue(detached), ct)));
        return command;
    }
}
