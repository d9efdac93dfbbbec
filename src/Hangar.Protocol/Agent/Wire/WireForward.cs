namespace Hangar.Protocol.Agent.Wire;

/// <summary>A host port (bound on 127.0.0.1) forwarded to a guest port.</summary>
public sealed record WireForward(int HostPort, int GuestPort, WirePortProtocol Protocol);
