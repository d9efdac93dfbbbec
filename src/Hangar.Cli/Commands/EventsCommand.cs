using Hangar.Protocol.Api;
using System.CommandLine;
using Hangar.Cli.Daemon;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar events [--follow]</c>: what happened and when (generations, VM starts, crashes, health).</summary>
public static class EventsCommand
{
    // The event list has no push stream yet; following asks for newer events at this interval.
    private static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events until interrupted." };
        var command = new Command("events", "Show what happened: generations, VM starts, stops, crashes, health changes.") { follow };
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            long after = 0;
            try
            {
                while (true)
                {
                    var events = await client.EventsAsync(after, ct);
                    foreach (var e in events)
                    {
                        if (context.Terminal.Json) Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(e, ApiJson.Info<EventEntry>()));
                        else Console.Out.WriteLine($"{e.At.ToLocalTime():yyyy-MM-dd HH:mm:ss}  {e.Kind,-12} {e.Vm ?? "-",-16} {e.Message}");
                        after = e.Id;
                    }
                    if (events.Count > 0) continue; // a page: there may be more right away
                    if (!context.Get(follow)) return ExitCodes.Ok;
                    await Task.Delay(FollowInterval, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }
        });
        return command;
    }
}
