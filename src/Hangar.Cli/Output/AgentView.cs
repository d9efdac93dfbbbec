using Hangar.Protocol.Api;
using Spectre.Console;

namespace Hangar.Cli.Output;

/// <summary>Agents as <c>hangar agent list</c> and <c>hangar agent show</c> print them.</summary>
public static class AgentView
{
    /// <summary>
    /// <c>online</c>, <c>offline</c>, with <c>,cordoned</c> when it gets no new VMs; while cordoned, <c>,draining</c>
    /// instead during a drain, and after one how it ended (<c>,cordoned,drained</c>, <c>,cordoned,drain-failed</c>…).
    /// </summary>
    public static string State(AgentInfo agent) =>
        (agent.State == AgentState.Online ? "online" : "offline") + (agent.Cordoned ? agent.Drain?.State switch
        {
            AgentDrainState.Draining => ",draining",
            AgentDrainState.Drained => ",cordoned,drained",
            AgentDrainState.Incomplete => ",cordoned,drain-incomplete",
            AgentDrainState.Failed => ",cordoned,drain-failed",
            AgentDrainState.Interrupted => ",cordoned,drain-interrupted",
            _ => ",cordoned",
        } : "");

    public static void WriteTable(Terminal terminal, IReadOnlyList<AgentInfo> agents) =>
        terminal.WriteTable(TableBorder.Simple, ["NAME", "STATE", "LABELS", "VCPU", "MEMORY", "VMS", "VERSION", "LAST HEARTBEAT"],
            agents.Select(a => (IReadOnlyList<TableCell>)
            [
                a.Name, new TableCell(State(a), a.State == AgentState.Online ? (a.Cordoned ? "yellow" : "green") : "red"), LabelArguments.Text(a.Labels),
                $"{a.AllocatedVcpus}/{a.Vcpus}", $"{Mib(a.AllocatedMemoryBytes)}/{Mib(a.MemoryBytes)}",
                a.Vms.Count == 0 ? "-" : string.Join(",", a.Vms), a.Version.Length == 0 ? "-" : a.Version, When(a.LastHeartbeat),
            ]));

    public static void WriteDetail(Terminal terminal, AgentInfo a)
    {
        terminal.Line($"Name:            {a.Name}");
        terminal.Line($"State:           {State(a)}");
        terminal.Line($"Host:            {(a.HostName.Length == 0 ? "-" : a.HostName)}");
        terminal.Line($"Age recipient:   {a.Recipient ?? "-"}");
        terminal.Line($"Labels:          {LabelArguments.Text(a.Labels)}");
        terminal.Line($"Accelerator:     {a.Accelerator ?? "-"}");
        terminal.Line($"Version:         {(a.Version.Length == 0 ? "-" : a.Version)}");
        terminal.Line($"vCPU:            {a.AllocatedVcpus} allocated of {a.Vcpus}");
        terminal.Line($"Memory:          {Mib(a.AllocatedMemoryBytes)} allocated of {Mib(a.MemoryBytes)}");
        terminal.Line($"VMs:             {(a.Vms.Count == 0 ? "-" : string.Join(", ", a.Vms))}");
        terminal.Line($"Joined:          {a.JoinedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}");
        terminal.Line($"Last heartbeat:  {When(a.LastHeartbeat)}");
        if (a.Drain is { } drain)
        {
            terminal.Line($"Drain:           {drain.Summary(a.Name)}");
            terminal.Line($"Drain started:   {drain.StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}" + (drain.EndedAt is { } ended ? $", ended {ended.ToLocalTime():HH:mm:ss}" : ""));
            foreach (var move in drain.Moves)
                terminal.Line($"  {move.Vm}: {move.From} → {move.To}, {move.State.ToString().ToLowerInvariant()}" + (move.Reason is { } why ? $": {why}" : ""));
        }
    }

    private static string Mib(long bytes) => bytes == 0 ? "0" : bytes >= 1L << 30 && bytes % (1L << 30) == 0 ? $"{bytes >> 30}GiB" : $"{bytes >> 20}MiB";

    private static string When(DateTimeOffset? at) => at is { } t ? t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss") : "never";
}
