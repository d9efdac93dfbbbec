namespace Hangar.ControlPlane.Scheduling;

/// <summary>One agent as the scheduler sees it: whether it may take new VMs, its labels and what its host has.</summary>
/// <param name="Vcpus">CPUs of its host; 0 when not reported (then only the VMs' count spreads the load).</param>
/// <param name="MemoryBytes">Memory of its host; 0 when not reported (then memory is not checked).</param>
public sealed record SchedulerAgent(string Name, bool Online, bool Cordoned, IReadOnlyDictionary<string, string> Labels, int Vcpus, long MemoryBytes)
{
    public bool Eligible => Online && !Cordoned;
}
