using Hangar.ControlPlane.Scheduling;
using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.ControlPlane.Fleet;

/// <summary>How a plan or a diff is put in API terms (for <c>plan</c>, <c>apply</c>, <c>rollback</c> and <c>diff</c>).</summary>
internal static class PlanEntries
{
    public static PlanEntry[] Of(IEnumerable<VmChange> plan) =>
        plan.Select(c => new PlanEntry(c.Vm, ActionOf(c.Kind), c.Fields.Select(f => f.ToString()).ToArray())).ToArray();

    /// <summary>
    /// The plan with where each VM goes: its agent after the apply, a move when that differs from where it runs now
    /// (<paramref name="placement"/>), or why it cannot be placed.
    /// </summary>
    public static PlanEntry[] Of(IEnumerable<VmChange> plan, PlacementDecision decision, IReadOnlyDictionary<string, string> placement) =>
        plan.Select(c =>
        {
            var entry = new PlanEntry(c.Vm, ActionOf(c.Kind), c.Fields.Select(f => f.ToString()).ToArray());
            if (c.Kind == VmChangeKind.Delete) return entry with { From = placement.GetValueOrDefault(c.Vm) };
            var agent = decision.Placement.GetValueOrDefault(c.Vm);
            if (decision.Unplaced.TryGetValue(c.Vm, out var why))
                return entry with { Agent = agent, Unplaceable = why.Waits ? null : why.Reason };
            var from = placement.GetValueOrDefault(c.Vm);
            if (c.Kind != VmChangeKind.Create && from is not null && agent is not null && from != agent)
                return entry with
                {
                    Action = PlanAction.Move, Agent = agent, From = from,
                    Changes = [.. entry.Changes, $"agent: {from} → {agent} — starts afresh from its image there; its disk stays on {from}"],
                };
            return entry with { Agent = agent };
        }).ToArray();

    /// <summary>The problems of a plan: every VM that cannot be placed, with why (a VM that waits for an agent is not one).</summary>
    public static string[] Problems(PlacementDecision decision) =>
        decision.Unplaced.Where(u => !u.Value.Waits).Select(u => $"vms.{u.Key}: cannot be placed: {u.Value.Reason}").ToArray();

    /// <summary>The spec's change kind in wire terms: the two enums are separate so that neither changes the other.</summary>
    public static PlanAction ActionOf(VmChangeKind kind) => kind switch
    {
        VmChangeKind.Create => PlanAction.Create,
        VmChangeKind.Update => PlanAction.Update,
        VmChangeKind.Replace => PlanAction.Replace,
        VmChangeKind.Delete => PlanAction.Delete,
        VmChangeKind.Unchanged => PlanAction.Unchanged,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The changes outside the VMs (images, settings), one text each.</summary>
    public static string[] FleetChanges(FleetSpec? current, FleetSpec next) =>
        FleetDiff.CompareFleet(current, next).Select(f => f.ToString()).ToArray();
}
