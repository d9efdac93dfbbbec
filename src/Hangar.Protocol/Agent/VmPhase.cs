namespace Hangar.Protocol.Agent;

/// <summary>
/// A VM's lifecycle on its agent.
/// <code>
///            ┌────────── stop / delete ──────────┐
///  Pending ──► Preparing ──► Starting ──► Running ──► Stopping ──► Stopped
///  (disks, images)   (QEMU -S, QMP, cont) │
///                                         └── exits ──► Backoff ──► Starting   (restart policy, jitter)
///  Failed: could not be prepared or started (see LastError); retried with backoff.
///  Unknown: only the control plane says this (agents never send it): the VM's agent is offline, so nobody knows.
/// </code>
/// </summary>
public enum VmPhase { Pending, Preparing, Starting, Running, Stopping, Stopped, Backoff, Failed, Unknown }

/// <summary>Result of a VM's health check.</summary>
public enum HealthState
{
    /// <summary>Not running, so not checked.</summary>
    Unknown,
    /// <summary>Running, check not yet passed, still within its timeout.</summary>
    Starting,
    Healthy,
    /// <summary>Check did not pass within its timeout, or stopped passing.</summary>
    Unhealthy,
}
