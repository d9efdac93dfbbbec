using Hangar.Protocol.Api;
using System.CommandLine;
using Hangar.Cli.Daemon;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar events [--follow] [--vm NAME] [--agent NAME] [--kind KIND]</c>: what happened and when (generations, VM
/// starts, crashes, health). The filters are applied by the server; <c>--follow</c> keeps one stream open
/// (<c>GET /api/v1/events?follow=true</c>) and prints each event as the server records it.
/// </summary>
public static class EventsCommand
{
    public static Command Create()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events as they happen, until interrupted." };
        var vm = new Option<string[]>("--vm") { Description = "Only events about this VM (repeat, or separate with commas)." };
        var agent = new Option<string[]>("--agent") { Description = "Only events about this agent, and VM events it reported (repeat, or separate with commas)." };
        var kind = new Option<string[]>("--kind") { Description = "Only events of this kind, e.g. vm.started, vm.crashed, vm.health, generation, rollout, agent (repeat, or separate with commas)." };
        var command = new Command("events", "Show what happened: generations, VM starts, stops, crashes, health changes.") { follow, vm, agent, kind };
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var filter = EventFilter.From(context.Get(vm), context.Get(agent), context.Get(kind));
            long after = 0;
            try
            {
                while (true)
                {
                    var events = await client.EventsAsync(after, filter, ct);
                    foreach (var e in events)
                    {
                        Print(context, e);
                        after = e.Id;
                    }
                    if (events.Count == 0) break; // a page: there may be more right away
                }
                if (!context.Get(follow)) return ExitCodes.Ok;
                await foreach (var e in client.FollowEventsAsync(after, filter, ct)) Print(context, e);
                Output.Terminal.Error("The server ended the event stream; it is stopping.");
                return ExitCodes.Error;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static void Print(CommandContext context, EventEntry e)
    {
        if (context.Terminal.Json) Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(e, ApiJson.Info<EventEntry>()));
        else Console.Out.WriteLine($"{e.At.ToLocalTime():yyyy-MM-dd HH:mm:ss}  {e.Kind,-12} {e.Vm ?? "-",-16} {e.Message}");
        Console.Out.Flush();
    }
}
