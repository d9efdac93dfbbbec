using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.ControlPlane.Fleet;

/// <summary>How a plan or a diff is put in API terms (for <c>plan</c>, <c>apply</c>, <c>rollback</c> and <c>diff</c>).</summary>
internal static class PlanEntries
{
    public static PlanEntry[] Of(IEnumerable<VmChange> plan) =>
        plan.Select(c => new PlanEntry(c.Vm, ActionOf(c.Kind), c.Fields.Select(f => f.ToString()).ToArray())).ToArray();

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
