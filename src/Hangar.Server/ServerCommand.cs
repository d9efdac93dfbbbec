using System.CommandLine;
using Hangar.ControlPlane;
using Hangar.State;

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
        var store = new Option<string?>("--store")
        {
            Description = $"Where the control plane keeps its state: {StateStoreLocation.ValidForms} (default: $HANGAR_STORE, else sqlite:$HANGAR_HOME/control-plane/state.db).",
        };
        var noAgent = new Option<bool>("--no-agent") { Description = "Run only the control plane; agents connect from other hosts." };
        var detached = new Option<bool>("--detached") { Description = "Log to $HANGAR_HOME/hangar.log instead of the terminal.", Hidden = true };
        var command = new Command("server", "Run the Hangar control plane and a local agent in the foreground.") { listen, store, noAgent, DaemonGlobals.Accel, detached };
        command.SetAction((parse, ct) => DaemonGlobals.GuardAsync(() => EmbeddedServer.RunAsync(DaemonGlobals.ResolveHome(parse),
            parse.GetValue(listen)!, StoreFrom(parse.GetValue(store)), !parse.GetValue(noAgent), DaemonGlobals.AccelFrom(parse.GetValue(DaemonGlobals.Accel)), parse.GetValue(detached), ct)));
        return command;
    }

    /// <summary>--store, else HANGAR_STORE, else null (the SQLite file in the home). A bad value is an error naming the valid forms.</summary>
    internal static StateStoreLocation? StoreFrom(string? flag)
    {
        var fromEnvironment = flag is null;
        var text = flag ?? Environment.GetEnvironmentVariable("HANGAR_STORE");
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            return StateStoreLocation.Parse(text);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException(fromEnvironment ? $"HANGAR_STORE: {e.Message}" : e.Message, e);
        }
    }
}
