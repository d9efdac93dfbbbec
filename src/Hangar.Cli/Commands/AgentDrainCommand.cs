using System.CommandLine;
using Hangar.Cli.Output;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar agent drain NAME [--no-wait] [--timeout DUR]</c>: cordons the agent and moves its movable VMs to other
/// agents one at a time through the health gate; follows the drain (the watch stream says when to look again, no
/// polling) and prints each step, then the summary. Exit 0 when no VM is left on the agent.
/// </summary>
public static class AgentDrainCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The agent." };
        var noWait = new Option<bool>("--no-wait") { Description = "Return once the drain has started; follow it with hangar agent show NAME." };
        var timeout = new Option<TimeSpan?>("--timeout")
        {
            Description = "How long each VM may take to stop here and become healthy on its new agent: 90s, 10m (default 5m).",
            CustomParser = r => Durations.Parse(r),
        };
        var command = new Command("drain", "Cordon an agent and move its movable VMs (placement.movable) to other agents, one at a time, each waited for until healthy.")
        {
            name, noWait, timeout,
        };
        CommandContext.Bind(command, async (context, ct) =>
        {
            var agent = context.Get(name);
            using var client = await context.ConnectAsync(ct);
            var started = await client.DrainAgentAsync(agent, new AgentDrainRequest(context.Get(timeout)), ct);
            var drain = started.Drain!;
            if (drain.State == AgentDrainState.Draining)
            {
                var movable = started.Vms.Count - drain.NotMovable.Count;
                context.Terminal.Progress($"Agent {agent} cordoned; draining {movable} movable VM{(movable == 1 ? "" : "s")} one at a time" +
                    (drain.NotMovable.Count > 0 ? $" (staying, not movable: {string.Join(", ", drain.NotMovable)})" : ""));
            }
            if (context.Get(noWait))
            {
                if (context.Terminal.Json) context.Terminal.WriteJson(started);
                return ExitCodes.Ok;
            }
            var done = await FollowAsync(client, context.Terminal, agent, started, ct);
            if (context.Terminal.Json) context.Terminal.WriteJson(done);
            else context.Terminal.Line(done.Drain!.Summary(agent));
            return done.Drain!.State switch
            {
                AgentDrainState.Drained => ExitCodes.Ok,
                AgentDrainState.Failed => ExitCodes.Unhealthy,
                _ => ExitCodes.Error,
            };
        });
        return command;
    }

    /// <summary>Prints each step of the drain as it changes, until it ends; the agent as it is then.</summary>
    private static async Task<AgentInfo> FollowAsync(HangarClient client, Terminal terminal, string agent, AgentInfo info, CancellationToken ct)
    {
        var printed = new HashSet<string>(StringComparer.Ordinal);
        Print(terminal, info.Drain!, printed);
        if (info.Drain!.State != AgentDrainState.Draining) return info;
        // Every change of the fleet is a watch line; the drain's own steps wake it too. Each line is a cue to read the
        // agent again, so nothing is polled on a timer.
        await foreach (var _ in client.WatchChangesAsync(ct))
        {
            info = await client.AgentAsync(agent, ct);
            if (info.Drain is not { } drain) break;
            Print(terminal, drain, printed);
            if (drain.State != AgentDrainState.Draining) return info;
        }
        throw new InvalidOperationException($"The server stopped answering before the drain of {agent} ended; see hangar agent show {agent}.");
    }

    private static void Print(Terminal terminal, AgentDrainInfo drain, HashSet<string> printed)
    {
        foreach (var move in drain.Moves)
        {
            var line = move.State switch
            {
                DrainMoveState.Stopping => $"{move.Vm}: stopping on {move.From}",
                DrainMoveState.Starting => $"{move.Vm}: starting on {move.To}",
                DrainMoveState.Moved => $"{move.Vm}: moved to {move.To}",
                DrainMoveState.Returning => $"{move.Vm}: not healthy on {move.To}, moving it back to {move.From}: {move.Reason}",
                DrainMoveState.MovedBack => $"{move.Vm}: back on {move.From}",
                _ => $"{move.Vm}: failed: {move.Reason}",
            };
            if (printed.Add(line)) terminal.Progress(line);
        }
        foreach (var (vm, reason) in drain.Unplaceable)
            if (printed.Add($"{vm}\0stays")) terminal.Progress($"{vm}: stays on it: {reason}");
    }
}
