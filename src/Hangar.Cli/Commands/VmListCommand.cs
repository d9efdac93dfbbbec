using System.CommandLine;
using Hangar.Cli.Daemon;
using Hangar.Cli.Output;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar vm list</c>: every VM with its phase, accelerator, health and forwards.</summary>
public static class VmListCommand
{
    public static Command Create()
    {
        var command = new Command("list", "List the VMs: phase, accelerator, health, forwarded ports.");
        command.Aliases.Add("ls");
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            StatusView.Write(context.Terminal, await client.GetFleetAsync(ct));
            return ExitCodes.Ok;
        });
        return command;
    }
}
