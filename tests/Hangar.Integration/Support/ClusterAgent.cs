using System.Diagnostics;

namespace Hangar.Integration.Support;

/// <summary>One <c>hangar agent</c> process of a <see cref="Cluster"/>, with its own home.</summary>
public sealed record ClusterAgent(string Name, HangarHome Home, Process Process)
{
    /// <summary>Kills the agent process (its VMs keep running), as a crashed agent would go.</summary>
    public async Task KillAsync()
    {
        Process.Kill();
        await Process.WaitForExitAsync();
    }
}
