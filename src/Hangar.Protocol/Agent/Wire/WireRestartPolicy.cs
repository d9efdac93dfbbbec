namespace Hangar.Protocol.Agent.Wire;

/// <summary>When the agent restarts a VM that exited without being asked to: <c>always</c>, <c>onFailure</c> or
/// <c>never</c> on the wire (the fleet file's restart policies).</summary>
public enum WireRestartPolicy { Always, OnFailure, Never }
