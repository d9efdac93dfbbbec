using System.CommandLine;
using Hangar.Cli.Daemon;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar gc</c>: deletes the disks that no VM of the current generation uses — old disks kept aside as
/// <c>disk.genN.qcow2</c> when a VM got a new image or lost its disk, and the disks of VMs removed from the fleet whose
/// QEMU no longer runs — and lists what it deleted. The disks of current VMs are never touched.
/// </summary>
public static class GcCommand
{
    public static Command Create()
    {
        var command = new Command("gc", "Delete disks that no current VM uses (old disks kept after an image change, disks of removed VMs), and images no current VM boots.");
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var result = await client.CollectDisksAsync(ct);
            if (context.Terminal.Json)
            {
                context.Terminal.WriteJson(result);
            }
            else
            {
                foreach (var file in result.Deleted) Console.Out.WriteLine($"deleted {file}");
                foreach (var image in result.Images ?? []) Console.Out.WriteLine($"deleted image {image}");
                if (result.Images is { Count: > 0 } images)
                    Console.Out.WriteLine($"Deleted {images.Count} unused images from the server's image store ({result.ImageBytes / (1024.0 * 1024):0.#} MiB).");
                // An agent's entries are disks (AGENT:vms/…) and, since agents collect their image caches, cached images (AGENT:blobs/…).
                var cached = result.Deleted.Count(f => f.Contains(":blobs/", StringComparison.Ordinal));
                var disks = result.Deleted.Count - cached;
                Console.Out.WriteLine(result.Deleted.Count == 0
                    ? "No unused disks."
                    : $"Deleted {disks} unused disk files{(cached > 0 ? $" and {cached} cached images" : "")} on agents ({result.Bytes / (1024.0 * 1024):0.#} MiB).");
            }
            foreach (var agent in result.Unanswered)
                Output.Terminal.Error($"Agent {agent} did not report in time; it deletes its unused disks when it gets the request.");
            return result.Unanswered.Count > 0 ? ExitCodes.Error : ExitCodes.Ok;
        });
        return command;
    }
}
