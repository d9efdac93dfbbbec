namespace Hangar.Protocol.Agent;

/// <summary>What an agent does about a QEMU it found running that its desired state does not name (JSON: <c>stopping</c>, <c>stopped</c>, <c>kept</c>).</summary>
public enum OrphanAction
{
    /// <summary>Being stopped (the fleet's orphan policy is <c>stop</c>).</summary>
    Stopping,
    /// <summary>Stopped.</summary>
    Stopped,
    /// <summary>Left running (<c>settings.orphans: keep</c>).</summary>
    Kept,
}
