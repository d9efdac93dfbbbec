using Hangar.Protocol.Api;
using System.CommandLine;
using Hangar.Cli.Daemon;
using Hangar.Cli.Output;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar down [--purge]</c>: stop every VM gracefully, then stop the server. The generations and the VMs' disks
/// stay (the next <c>hangar up</c> starts the VMs again) unless <c>--purge</c> deletes the disks.
/// </summary>
public static class DownCommand
{
    public static Command Create()
    {
        var purge = new Option<bool>("--purge") { Description = "Also delete the VMs' disks and serial logs." };
        var command = new Command("down", "Stop every VM gracefully and stop the Hangar server.") { purge, ApplyFlow.Timeout };
        CommandContext.Bind(command, async (context, ct) =>
        {
            var client = await context.TryConnectAsync(ct);
            if (client is null)
            {
                context.Terminal.Line($"No Hangar is running for {context.Home}; nothing to stop.");
                if (context.Terminal.Json) context.Terminal.WriteJson(new DownOutcome("notrunning"));
                return ExitCodes.Ok;
            }
            using (client)
            {
                await client.DownAsync(context.Get(purge), ct);
                var (outcome, status) = await Convergence.WaitAsync(client, context.Terminal, context.Get(ApplyFlow.Timeout), null, ct);
                // A remote server is a service of its host: down stops its VMs, not the server.
                if (context.Remote is null) await client.ShutdownAsync(ct);
                if (context.Terminal.Json) context.Terminal.WriteJson(new DownOutcome(outcome.ToString().ToLowerInvariant(), status));
                else if (outcome == Convergence.Outcome.TimedOut) Terminal.Error("Not every VM stopped in time; Hangar stopped anyway and the VMs keep running. Run 'hangar down' again.");
                else context.Terminal.Line(context.Get(purge) ? "All VMs stopped and their disks deleted; Hangar stopped." : "All VMs stopped; Hangar stopped.");
                return outcome == Convergence.Outcome.TimedOut ? ExitCodes.Unhealthy : ExitCodes.Ok;
            }
        });
        return command;
    }
}
