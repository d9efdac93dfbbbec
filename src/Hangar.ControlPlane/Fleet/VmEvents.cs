using Hangar.Protocol.Agent;

namespace Hangar.ControlPlane.Fleet;

/// <summary>Derives the events worth recording from two consecutive observations of a VM.</summary>
internal static class VmEvents
{
    public static IEnumerable<(string Kind, string Message)> Between(ObservedVm? before, ObservedVm now)
    {
        if (before?.Phase != now.Phase)
        {
            switch (now.Phase)
            {
                case VmPhase.Running:
                    yield return ("vm.started", now.Adopted ? "Adopted a running QEMU" : $"Started (pid {now.Pid}, {now.Accelerator})");
                    break;
                case VmPhase.Stopped when before is not null:
                    yield return ("vm.stopped", now.Detail ?? "Stopped");
                    break;
                case VmPhase.Backoff when now.BackoffCause == RestartCause.Unhealthy:
                    yield return ("vm.health-restart", now.Detail ?? "Restarting after its health check failed");
                    break;
                case VmPhase.Backoff:
                    yield return ("vm.crashed", now.Detail ?? "Exited");
                    break;
                case VmPhase.Failed:
                    yield return ("vm.failed", now.LastError ?? now.Detail ?? "Failed");
                    break;
            }
        }
        if (before?.Health != now.Health && now.Health is HealthState.Healthy or HealthState.Unhealthy)
            yield return ("vm.health", $"Health is {now.Health.ToString().ToLowerInvariant()}"
                + (now.HealthDetail is { Length: > 0 } why ? $": {why}" : ""));
    }
}
