using System.CommandLine;
using Hangar.Cli.Daemon;
using Hangar.Cli.Output;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar generations</c>: every generation with its time, message, status and the VMs it changed.</summary>
public static class GenerationsCommand
{
    public static Command Create()
    {
        var command = new Command("generations", "List the generations: number, time, status, message, VMs changed.");
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var generations = await client.GenerationsAsync(ct);
            if (context.Terminal.Json)
            {
                context.Terminal.WriteJson(generations);
                return ExitCodes.Ok;
            }
            context.Terminal.WriteTable(TableBorder.Simple, ["GEN", "TIME", "BY", "STATUS", "VMS CHANGED", "MESSAGE"],
                generations.Select(g => (IReadOnlyList<TableCell>)
                [
                    g.Number.ToString(), g.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"), g.Author ?? "-", StatusView.Text(g.Status),
                    g.ChangedVms.Count == 0 ? "-" : string.Join(",", g.ChangedVms),
                    (g.Message ?? g.Source) + (g.Reason is { } r ? $" — {r.Split("; last console lines")[0]}" : ""),
                ]));
            return ExitCodes.Ok;
        });
        return command;
    }
}
