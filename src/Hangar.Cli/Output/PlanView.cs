using Hangar.Protocol.Api;

namespace Hangar.Cli.Output;

/// <summary>What an apply changes, VM by VM.</summary>
public static class PlanView
{
    public static void Write(Terminal terminal, ApplyResponse response)
    {
        terminal.Line(response.Changed
            ? $"Generation {response.Generation} applied."
            : $"No changes; generation {response.Generation} stays current.");
        foreach (var entry in response.Plan.Where(p => p.Action != PlanAction.Unchanged))
        {
            var sign = entry.Action switch
            {
                PlanAction.Create => "+",
                PlanAction.Delete => "-",
                PlanAction.Replace => "-/+",
                _ => "~",
            };
            terminal.Line($"  {sign} {entry.Vm} ({entry.Action.ToString().ToLowerInvariant()})");
            foreach (var change in entry.Changes) terminal.Line($"      {change}");
        }
    }
}
