namespace Hangar.State.Replication;

/// <summary>
/// One report of agent <paramref name="Agent"/>, as replica <paramref name="Replica"/> (the one it is connected to)
/// shares it: the VMs it changed, and the rest of the report (opaque JSON: generation, revision, orphans).
/// </summary>
/// <param name="WholeVms">For the last frame of a whole report: every VM it named; the agent's other rows are then
/// marked gone. Null for a delta.</param>
public sealed record ObservedReport(string Agent, string Replica, string AgentReport, IReadOnlyList<ObservedRow> Vms,
    IReadOnlyList<string>? WholeVms = null);
