using System.CommandLine;
using Hangar.Cli.Daemon;
using Hangar.Cli.Output;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar diff A B</c>: what changed, per VM and field, from generation A to generation B.</summary>
public static class DiffCommand
{
    public static Command Create()
    {
        var from = new Argument<long>("from") { Description = "The older generation." };
        var to = new Argument<long>("to") { Description = "The newer generation." };
        var command = new Command("diff", "Show what changed between two generations.") { from, to };
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var diff = await client.DiffAsync(context.Get(from), context.Get(to), ct);
            if (context.Terminal.Json) context.Terminal.WriteJson(diff);
            else Console.Out.Write(PlanView.Render(new PlanResponse(diff.From, diff.Plan.Any(p => p.Action != PlanAction.Unchanged) || diff.FleetChanges is { Count: > 0 }, diff.Plan, [], diff.FleetChanges),
                $"Generation {diff.From} → {diff.To}:"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
