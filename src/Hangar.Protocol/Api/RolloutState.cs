namespace Hangar.Protocol.Api;

/// <summary>Where a generation's rollout through the health gate is (JSON: <c>running</c>, <c>succeeded</c>, …).</summary>
public enum RolloutState
{
    /// <summary>The gate waits for the changed VMs to be healthy at the generation's revision.</summary>
    Running,
    /// <summary>Every changed VM was healthy in time (or the generation gated none).</summary>
    Succeeded,
    /// <summary>A VM was unhealthy, failed or exited, or the confirm deadline passed.</summary>
    Failed,
    /// <summary><c>hangar down</c> ended the rollout before its verdict.</summary>
    Cancelled,
}
