using System.CommandLine;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar apply FILE</c>: converge to the file: new VMs start, changed VMs restart with their new settings,
/// removed VMs stop (their disks are kept). VMs stopped by hand stay stopped.
/// </summary>
public static class ApplyCommand
{
    public static Command Create()
    {
        var file = FleetFileArgument.Create();
        var command = new Command("apply", "Apply a changed fleet file: start new VMs, restart changed ones, stop removed ones.") { file };
        ApplyFlow.AddOptions(command);
        CommandContext.Bind(command, (context, ct) => ApplyFlow.RunAsync(context, context.Get(file), startStopped: false, ct));
        return command;
    }
}
