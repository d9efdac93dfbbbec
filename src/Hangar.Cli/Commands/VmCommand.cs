using System.CommandLine;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar vm …</c>: list VMs, and start, stop or restart one.</summary>
public static class VmCommand
{
    public static Command Create()
    {
        var command = new Command("vm", "List VMs and start, stop or restart one.");
        command.Subcommands.Add(VmListCommand.Create());
        command.Subcommands.Add(VmXmlCommand.Create());
        command.Subcommands.Add(VmShowCommand.Create());
        command.Subcommands.Add(VmExecCommand.Create());
        command.Subcommands.Add(VmSetCommand.Create());
        command.Subcommands.Add(VmIdentityCommand.Create());
        command.Subcommands.Add(VmActionCommand.Create("start", "Start a VM (also one whose autostart is false) and wait until it is healthy."));
        command.Subcommands.Add(VmActionCommand.Create("stop", "Stop a VM gracefully (guest-agent or ACPI power-off, then quit, then kill) and keep it stopped."));
        command.Subcommands.Add(VmActionCommand.Create("restart", "Stop a VM gracefully and start it again."));
        return command;
    }
}
