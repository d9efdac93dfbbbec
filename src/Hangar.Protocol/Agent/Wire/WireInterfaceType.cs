namespace Hangar.Protocol.Agent.Wire;

/// <summary>What a <see cref="WireInterface"/> is attached to: <c>user</c> or <c>bridge</c> on the wire.</summary>
public enum WireInterfaceType { User, Bridge }
