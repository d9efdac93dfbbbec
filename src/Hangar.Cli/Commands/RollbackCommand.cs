using System.CommandLine;
using Hangar.Cli.Daemon;
using Hangar.Cli.Output;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar rollback [--to N]</c>: commit a new generation whose content equals generation N (default: the last one
/// before the current that came up healthy) and roll it out through the health gate like an apply.
/// </summary>
public static class RollbackCommand
{
    public static Command Create()
    {
        var to = new Option<long?>("--to") { Description = "The generation to return to (default: the previous good one)." };
        var command = new Command("rollback", "Return to the previous good generation, or to --to N.") { to, ApplyFlow.Message, ApplyFlow.Timeout, ApplyFlow.ConfirmTimeout };
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var response = await client.RollbackAsync(new RollbackRequest(context.Get(to), context.Get(ApplyFlow.Message), AutoRollback: false, context.Get(ApplyFlow.ConfirmTimeout), CliGlobals.Author), ct);
            if (!context.Terminal.Json) PlanView.Write(context.Terminal, response);
            return await ApplyFlow.FollowAsync(context, client, response, ct);
        });
        return command;
    }
}
