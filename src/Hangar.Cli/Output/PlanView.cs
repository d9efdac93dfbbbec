using System.Text;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Output;

/// <summary>What an apply, plan, rollback or diff changes, VM by VM and field by field (golden-text tested).</summary>
public static class PlanView
{
    public static void Write(Terminal terminal, ApplyResponse response)
    {
        terminal.Line(response.Changed
            ? $"Generation {response.Generation} committed."
            : $"No changes; generation {response.Generation} stays current.");
        foreach (var line in FleetLines(response.FleetChanges)) terminal.Line(line);
        foreach (var line in Lines(response.Plan)) terminal.Line(line);
    }

    /// <summary>The text of <c>hangar plan</c> (and <c>hangar diff</c>, with another heading).</summary>
    public static string Render(PlanResponse plan, string? heading = null)
    {
        var text = new StringBuilder();
        text.AppendLine(heading ?? $"Plan against generation {plan.CurrentGeneration}:");
        var lines = FleetLines(plan.FleetChanges).Concat(Lines(plan.Plan)).ToList();
        if (lines.Count == 0) text.AppendLine("  no changes");
        foreach (var line in lines) text.AppendLine(line);
        var counts = plan.Plan.GroupBy(p => p.Action).ToDictionary(g => g.Key, g => g.Count());
        text.AppendLine($"{counts.GetValueOrDefault(PlanAction.Create)} to create, {counts.GetValueOrDefault(PlanAction.Update)} to update in place, " +
                        $"{counts.GetValueOrDefault(PlanAction.Replace)} to replace (restart), " +
                        (counts.GetValueOrDefault(PlanAction.Move) is > 0 and var moves ? $"{moves} to move, " : "") +
                        $"{counts.GetValueOrDefault(PlanAction.Delete)} to delete, " +
                        $"{counts.GetValueOrDefault(PlanAction.Unchanged)} unchanged" +
                        (plan.FleetChanges is { Count: > 0 } fleet ? $"; {fleet.Count} {(fleet.Count == 1 ? "change" : "changes")} outside the VMs." : "."));
        foreach (var problem in plan.Problems) text.AppendLine($"problem: {problem}");
        return text.ToString();
    }

    /// <summary>Changes under <c>settings</c> and <c>images</c>, one per field, before the VMs.</summary>
    private static IEnumerable<string> FleetLines(IReadOnlyList<string>? changes) => (changes ?? []).Select(c => $"  ~ {c}");

    private static IEnumerable<string> Lines(IReadOnlyList<PlanEntry> plan)
    {
        foreach (var entry in plan.Where(p => p.Action != PlanAction.Unchanged || p.Unplaceable is not null))
        {
            var (sign, word) = entry.Action switch
            {
                PlanAction.Create => ("+", "create"),
                PlanAction.Delete => ("-", "delete"),
                PlanAction.Replace => ("-/+", "replace, restarts"),
                PlanAction.Move => ("->", "move"),
                PlanAction.Unchanged => ("!", "unchanged"),
                _ => ("~", "update in place"),
            };
            yield return $"  {sign} {entry.Vm} ({word}){Where(entry)}";
            foreach (var change in entry.Changes) yield return $"      {change}";
            if (entry.Unplaceable is { } why) yield return $"      cannot be placed: {why}";
        }
    }

    /// <summary>Where the VM runs after the apply: <c> on a1</c>, <c> a1 → a2</c>; nothing when it is not known.</summary>
    private static string Where(PlanEntry entry) => entry switch
    {
        { Action: PlanAction.Move, From: { } from, Agent: { } to } => $" {from} → {to}",
        { Unplaceable: not null } => " on no agent",
        { Action: PlanAction.Delete, From: { } from } => $" from {from}",
        { Agent: { } agent } => $" on {agent}",
        _ => "",
    };
}

