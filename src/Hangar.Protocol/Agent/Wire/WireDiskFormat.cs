namespace Hangar.Protocol.Agent.Wire;

/// <summary>The format of a <see cref="WireImage"/>: <c>qcow2</c> or <c>raw</c> on the wire.</summary>
public enum WireDiskFormat { Qcow2, Raw }
