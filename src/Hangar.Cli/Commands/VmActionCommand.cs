using System.CommandLine;
using Hangar.Cli.Daemon;
using Hangar.Cli.Output;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar vm start|stop|restart NAME</c>: asks the control plane, then waits until the VM got there.</summary>
public static class VmActionCommand
{
    public static Command Create(string action, string description)
    {
        var name = new Argument<string>("name") { Description = "The VM." };
        var command = new Command(action, description) { name, ApplyFlow.Timeout, ApplyFlow.NoWait };
        CommandContext.Bind(command, async (context, ct) =>
        {
            var vm = context.Get(name);
            using var client = await context.ConnectAsync(ct);
            var status = await client.VmActionAsync(vm, action, ct);
            if (context.Get(ApplyFlow.NoWait))
            {
                if (context.Terminal.Json) context.Terminal.WriteJson(status);
                return ExitCodes.Ok;
            }
            var (outcome, fleet) = await Convergence.WaitAsync(client, context.Terminal, context.Get(ApplyFlow.Timeout), vm, ct);
            var now = fleet.Vms.First(v => v.Name == vm);
            if (context.Terminal.Json) context.Terminal.WriteJson(now);
            else context.Terminal.Line($"{vm}: {StatusView.Phase(now.Phase)}" + (now.Phase == Hangar.Protocol.Agent.VmPhase.Running ? $", {StatusView.Health(now.Health)}" : ""));
            if (outcome == Convergence.Outcome.Converged) return ExitCodes.Ok;
            Terminal.Error(outcome == Convergence.Outcome.TimedOut
                ? $"{vm} did not get there within {context.Get(ApplyFlow.Timeout).TotalSeconds:0}s."
                : $"{vm} failed: {now.LastError ?? "unhealthy"}.");
            return ExitCodes.Unhealthy;
        });
        return command;
    }
}
