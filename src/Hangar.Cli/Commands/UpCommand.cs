using System.CommandLine;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar up FILE</c>: start the server for this home if none runs, apply the file, start every VM (also those
/// stopped by hand or by <c>down</c>), and wait until they are running and healthy.
/// </summary>
public static class UpCommand
{
    public static Command Create()
    {
        var file = FleetFileArgument.Create();
        var command = new Command("up", "Start Hangar if needed, apply a fleet file and start its VMs; waits until they are healthy.") { file };
        ApplyFlow.AddOptions(command);
        CommandContext.Bind(command, (context, ct) => ApplyFlow.RunAsync(context, context.Get(file), startStopped: true, ct));
        return command;
    }
}
