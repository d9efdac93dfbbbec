using System.CommandLine;
using Hangar.Cli.Daemon;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar show generation N</c>: the spec generation N held, as a fleet file.</summary>
public static class ShowCommand
{
    public static Command Create()
    {
        var number = new Argument<long>("number") { Description = "The generation." };
        var generation = new Command("generation", "Print the fleet file a generation held.") { number };
        CommandContext.Bind(generation, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var detail = await client.GenerationAsync(context.Get(number), ct);
            if (context.Terminal.Json) context.Terminal.WriteJson(detail);
            else
            {
                var g = detail.Generation;
                Console.Out.WriteLine($"# generation {g.Number} ({Output.StatusView.Text(g.Status)}), {g.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}, by {g.Author ?? "-"}, from {g.Source}" + (g.Message is { } m ? $": {m}" : ""));
                foreach (var (image, digest) in g.ImageDigests ?? new Dictionary<string, string>())
                    Console.Out.WriteLine($"# image {image}: sha256:{digest}");
                Console.Out.Write(detail.Yaml);
            }
            return ExitCodes.Ok;
        });
        var command = new Command("show", "Show a stored object.");
        command.Subcommands.Add(generation);
        return command;
    }
}
