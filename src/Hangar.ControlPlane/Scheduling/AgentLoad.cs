using Hangar.Spec;

namespace Hangar.ControlPlane.Scheduling;

/// <summary>One agent and what the scheduler has placed on it so far: memory, vCPUs, VMs, host ports.</summary>
internal sealed class AgentLoad(SchedulerAgent agent)
{
    private readonly Dictionary<(int Port, PortProtocol Protocol), string> _ports = [];

    public SchedulerAgent Agent { get; } = agent;
    public long MemoryBytes { get; private set; }
    public int Vcpus { get; private set; }
    public int Vms { get; private set; }

    /// <summary>Memory free on the host; null when the agent reported none (then memory is not checked).</summary>
    public long? FreeMemory => Agent.MemoryBytes > 0 ? Agent.MemoryBytes - MemoryBytes : null;

    /// <summary>The mean of the memory and vCPU fractions in use; a capacity not reported counts as empty.</summary>
    public double Allocated =>
        ((Agent.MemoryBytes > 0 ? (double)MemoryBytes / Agent.MemoryBytes : 0) + (Agent.Vcpus > 0 ? (double)Vcpus / Agent.Vcpus : 0)) / 2;

    public void Add(VmSpec vm)
    {
        MemoryBytes += vm.Memory.Bytes;
        Vcpus += vm.Vcpu;
        Vms++;
        foreach (var forward in vm.Forwards) _ports.TryAdd((forward.HostPort, forward.Protocol), vm.Name);
    }

    /// <summary>Why this agent cannot take <paramref name="vm"/> now; null when it can. Checks run in <see cref="RefusalStage"/> order.</summary>
    public Refusal? Refusal(VmSpec vm)
    {
        if (!Agent.Online) return new(RefusalStage.Offline, "is offline", "offline");
        if (Agent.Cordoned) return new(RefusalStage.Cordoned, "is cordoned", "cordoned");
        if (vm.Placement.Host is { } host && host != Agent.Name) return new(RefusalStage.Labels, $"is not host {host}", "not its host");
        var missing = vm.Placement.Labels.Where(l => Agent.Labels.GetValueOrDefault(l.Key) != l.Value).ToArray();
        if (missing.Length > 0)
        {
            var has = string.Join(",", missing.Select(l => Agent.Labels.TryGetValue(l.Key, out var v) ? $"{l.Key}={v}" : $"no {l.Key}"));
            return new(RefusalStage.Labels, $"lacks label{(missing.Length == 1 ? "" : "s")} {string.Join(",", missing.Select(l => l.ToString()))} (has {has})", has);
        }
        if (FreeMemory is { } free && free < vm.Memory.Bytes)
        {
            var text = new ByteSize(Math.Max(0, free)).ToString();
            return new(RefusalStage.Memory, $"has {text} memory free, the VM needs {vm.Memory}", $"{text} free");
        }
        foreach (var forward in vm.Forwards)
        {
            if (_ports.TryGetValue((forward.HostPort, forward.Protocol), out var owner))
            {
                var port = $"{forward.HostPort}/{Scheduler.Protocol(forward.Protocol)}";
                return new(RefusalStage.Ports, $"has host port {port} taken by VM {owner}", $"{port} taken by {owner}");
            }
        }
        return null;
    }

    /// <summary>Least allocated first, then fewer VMs, then by name: a total order, so placement never depends on input order.</summary>
    public static readonly IComparer<AgentLoad> LeastAllocatedFirst = Comparer<AgentLoad>.Create((a, b) =>
    {
        var byLoad = a.Allocated.CompareTo(b.Allocated);
        if (byLoad != 0) return byLoad;
        var byCount = a.Vms.CompareTo(b.Vms);
        return byCount != 0 ? byCount : string.CompareOrdinal(a.Agent.Name, b.Agent.Name);
    });
}

/// <summary>The checks an agent must pass for a VM, in order; a later stage says more about why a VM cannot be placed.</summary>
internal enum RefusalStage { Offline, Cordoned, Labels, Memory, Ports }

/// <summary>Why one agent cannot take one VM: in a sentence (<see cref="Text"/>) and in a plan's parenthesis (<see cref="Short"/>).</summary>
internal sealed record Refusal(RefusalStage Stage, string Text, string Short);
