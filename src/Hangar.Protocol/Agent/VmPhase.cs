namespace Hangar.Protocol.Agent;

/// <summary>
/// A VM's lifecycle on its agent.
/// <code>
///            ┌────────── stop / delete ──────────┐
///  Pending ──► Preparing ──► Starting ──► Running ──► Stopping ──► Stopped
///  (disks, images)   (QEMU -S, QMP, cont) │
///                                         └── exits ──► Backoff ──► Starting   (restart policy, jitter)
///  Failed: could not be prepared or started (see LastError); retried with backoff.
/// </code>
/// </summary>
public enum VmPhase { Pending, Preparing, Starting, Running, Stopping, Stopped, Backoff, Failed }

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
