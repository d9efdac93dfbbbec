using System.CommandLine;
using System.Globalization;
using Hangar.Cli.Daemon;
using Hangar.Cli.Output;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar image list</c>: the images the server knows: those in its image store (file images uploaded by
/// <c>plan</c>/<c>apply</c>) and those the current generation declares (URL images, fetched by each agent), with their
/// size and the VMs that boot them. An image no VM uses is deleted by <c>hangar gc</c>.
/// </summary>
public static class ImageCommand
{
    public static Command Create()
    {
        var list = new Command("list", "List images: digest, size, where agents get it, and which VMs use it.");
        CommandContext.Bind(list, async (context, ct) =>
        {
            using var client = await HangarConnection.ConnectAsync(context.Home, ct);
            var images = await client.ImagesAsync(ct);
            if (context.Terminal.Json)
            {
                context.Terminal.WriteJson(images);
                return ExitCodes.Ok;
            }
            context.Terminal.WriteTable(TableBorder.Simple, ["DIGEST", "SIZE", "SOURCE", "NAMES", "VMS"],
                images.Select(i => (IReadOnlyList<TableCell>)
                [
                    $"sha256:{i.Sha256[..12]}",
                    i.SizeBytes is { } bytes ? (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB" : "-",
                    i.Url ?? (i.Stored ? "server" : "not uploaded"),
                    i.Names.Count > 0 ? string.Join(",", i.Names) : "-",
                    i.Vms.Count > 0 ? string.Join(",", i.Vms) : new TableCell("unused", "grey"),
                ]));
            return ExitCodes.Ok;
        });
        return new Command("image", "The images the server stores and the fleet declares.") { list };
    }
}
