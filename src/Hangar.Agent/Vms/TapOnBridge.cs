namespace Hangar.Agent.Vms;

/// <summary>A VM's tap device (made by its QEMU) and the host bridge it belongs on.</summary>
public sealed record TapOnBridge(string Tap, string Bridge);
