using System.CommandLine;
using Hangar.Cli.Daemon;
using Hangar.Cli.Output;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar status</c>: per VM, what the current generation wants against what its agent observes — phase, the
/// generation it runs, health, last error — plus the rollout in progress and any orphan QEMUs.
/// </summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Desired against observed, per VM; the current rollout; orphans.");
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var status = await client.GetFleetAsync(ct);
            if (context.Terminal.Json)
            {
                context.Terminal.WriteJson(status);
                return ExitCodes.Ok;
            }
            if (status.ControlPlane is { Replicated: true } replica)
                Console.Out.WriteLine($"Control plane: replica {replica.Replica}, " + (replica.Leader ? "leader" : $"follower (leader: {replica.LeaderReplica ?? "none yet"})"));
            Console.Out.WriteLine($"Generation {status.Generation}" + (status.Active ? "" : " (down)") +
                (status.Rollout is { } r ? $"; rollout of generation {r.Generation}: {r.State.ToString().ToLowerInvariant()}" + (r.Waiting.Count > 0 ? $", waiting for {string.Join(", ", r.Waiting)}" + (r.WaitingCount > r.Waiting.Count ? $" and {r.WaitingCount - r.Waiting.Count} more" : "") : "") : ""));
            context.Terminal.WriteTable(TableBorder.Simple, ["NAME", "DESIRED", "PHASE", "RUNS GEN", "HEALTH", "LAST ERROR"],
                status.Vms.Select(vm =>
                {
                    var drift = vm.DesiredRunning != (vm.Phase == Hangar.Protocol.Agent.VmPhase.Running) || vm.Generation != status.Generation;
                    return (IReadOnlyList<TableCell>)
                    [
                        vm.Name, vm.DesiredRunning ? "running" : "stopped", new TableCell(StatusView.Phase(vm.Phase), drift ? "yellow" : "green"),
                        vm.Generation.ToString(), StatusView.Health(vm.Health), StatusView.Problem(vm) ?? "-",
                    ];
                }));
            foreach (var orphan in status.Orphans ?? [])
                Console.Out.WriteLine($"orphan: {orphan.Name} (pid {orphan.Pid}) on {orphan.Agent}: {orphan.Action.ToString().ToLowerInvariant()}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
