namespace Hangar.State;

/// <summary>The statuses a generation goes through (stored as <c>rolling-out</c>, <c>active</c>, … see <see cref="GenerationStatusText"/>).</summary>
public enum GenerationStatus
{
    /// <summary>Current; its health gate is still waiting for the VMs it changed.</summary>
    RollingOut,
    /// <summary>Current, and its rollout finished.</summary>
    Active,
    /// <summary>Replaced by a newer apply.</summary>
    Superseded,
    /// <summary>Its rollout failed the health gate (see the reason).</summary>
    Failed,
    /// <summary>Left by a rollback to an earlier generation.</summary>
    RolledBack,
}
