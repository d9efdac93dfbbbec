using System.CommandLine;
using System.Globalization;
using Hangar.Cli.Output;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar vm set NAME --balloon SIZE</c>: changes a running VM live, without a new generation. Today that is its
/// memory balloon's target (QMP <c>balloon</c>), which lasts until the VM's QEMU stops, as <c>virsh setmem --live</c>.
/// </summary>
public static class VmSetCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The VM." };
        var balloon = new Option<string>("--balloon") { Description = "The memory to leave the running guest, such as 512MiB (the VM needs balloon: true); its memory gives it all back.", Required = true };
        var command = new Command("set", "Change a running VM live: --balloon SIZE sets its memory balloon's target (until QEMU stops; the fleet file is unchanged).") { name, balloon };
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var result = await client.BalloonAsync(context.Get(name), new VmBalloonRequest(context.Get(balloon)), ct);
            if (context.Terminal.Json) context.Terminal.WriteJson(result);
            else
                context.Terminal.Line($"VM {context.Get(name)}: balloon target {MiB(result.TargetBytes ?? result.ActualBytes)} of {MiB(result.MemoryBytes)}; "
                    + $"the guest has {MiB(result.ActualBytes)} now (hangar vm show follows it)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string MiB(long bytes) => (bytes / (double)Hangar.Spec.ByteSize.MiB).ToString("0.#", CultureInfo.InvariantCulture) + "MiB";
}
