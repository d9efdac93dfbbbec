using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Spectre.Console;

namespace Hangar.Cli.Output;

/// <summary>The VM table of <c>hangar up</c>, <c>apply</c> and <c>vm list</c>.</summary>
public static class StatusView
{
    public static void Write(Terminal terminal, FleetStatus status)
    {
        if (terminal.Json)
        {
            terminal.WriteJson(status);
            return;
        }
        if (status.Vms.Count == 0)
        {
            terminal.Line($"No VMs (generation {status.Generation}).");
            return;
        }
        if (terminal.Interactive)
        {
            terminal.Ansi.Write(Table(status));
        }
        else
        {
            Console.Out.WriteLine("NAME\tPHASE\tACCEL\tHEALTH\tFORWARDS\tPID\tLAST ERROR");
            foreach (var vm in status.Vms)
                Console.Out.WriteLine($"{vm.Name}\t{Phase(vm.Phase)}\t{vm.Accelerator ?? "-"}\t{Health(vm.Health)}\t{Forwards(vm)}\t{vm.Pid?.ToString() ?? "-"}\t{Problem(vm) ?? "-"}");
        }
        var running = status.Vms.FirstOrDefault(v => v.Phase == VmPhase.Running);
        if (running is not null)
            terminal.Line($"Console: hangar console {running.Name}   (detach with Ctrl-])   Log: hangar logs {running.Name} --follow");
    }

    public static Table Table(FleetStatus status)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("NAME", "PHASE", "ACCEL", "HEALTH", "FORWARDS", "PID", "DETAIL");
        foreach (var vm in status.Vms)
        {
            var phaseColour = vm.Phase switch
            {
                VmPhase.Running => "green",
                VmPhase.Failed or VmPhase.Backoff => "red",
                VmPhase.Stopped => "grey",
                VmPhase.Unknown => "yellow",
                _ => "yellow",
            };
            var healthColour = vm.Health switch { HealthState.Healthy => "green", HealthState.Unhealthy => "red", _ => "grey" };
            table.AddRow(
                Markup.Escape(vm.Name),
                $"[{phaseColour}]{Phase(vm.Phase)}[/]",
                Markup.Escape(vm.Accelerator ?? "-"),
                $"[{healthColour}]{Health(vm.Health)}[/]",
                Markup.Escape(Forwards(vm)),
                vm.Pid?.ToString() ?? "-",
                Markup.Escape(Problem(vm) ?? vm.Detail ?? ""));
        }
        return table;
    }

    /// <summary>What is wrong with a VM, for the LAST ERROR column: its last error, or why its health check fails.</summary>
    public static string? Problem(VmStatus vm) =>
        vm.LastError ?? (vm.Health == HealthState.Unhealthy && vm.HealthDetail is { } why ? $"unhealthy: {why}" : null);

    /// <summary>A generation's status as people and the API write it: <c>rolling-out</c>, <c>rolled-back</c>, …</summary>
    public static string Text(GenerationState state) => state switch
    {
        GenerationState.RollingOut => "rolling-out",
        GenerationState.RolledBack => "rolled-back",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static string Phase(VmPhase phase) => phase.ToString().ToLowerInvariant();
    public static string Health(HealthState health) => health.ToString().ToLowerInvariant();
    /// <summary>The VM's forwards as <c>127.0.0.1:8080→80/tcp</c>, and its VNC display as <c>127.0.0.1:5900 vnc</c>.</summary>
    private static string Forwards(VmStatus vm)
    {
        var all = vm.Forwards.Select(f => "127.0.0.1:" + f.Replace(":", "→")).Concat(vm.Vnc is { } vnc ? [$"127.0.0.1:{vnc} vnc"] : []).ToList();
        return all.Count == 0 ? "-" : string.Join(",", all);
    }
}
