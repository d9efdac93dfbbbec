using System.CommandLine;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar vm xml NAME</c>: the VM as a libvirt domain, from the QEMU configuration its agent gives it.</summary>
public static class VmXmlCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The VM." };
        var command = new Command("xml",
            "Print the VM as a libvirt domain XML (virsh define/create takes it): the QEMU configuration its agent gives it; paths are on that agent's host.") { name };
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            Console.Out.Write(await client.GetVmXmlAsync(context.Get(name), ct));
            return ExitCodes.Ok;
        });
        return command;
    }
}
