namespace Hangar.Protocol.Agent.Wire;

/// <summary>The transport of a <see cref="WireForward"/>: <c>tcp</c> or <c>udp</c> on the wire.</summary>
public enum WirePortProtocol { Tcp, Udp }
