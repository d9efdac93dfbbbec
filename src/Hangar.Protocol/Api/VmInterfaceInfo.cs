namespace Hangar.Protocol.Api;

/// <summary>A network interface of a VM as the API reports it (from the current generation).</summary>
/// <param name="Type"><c>user</c> or <c>bridge</c>.</param>
/// <param name="Mac">Its MAC address.</param>
/// <param name="Bridge">The bridge on the VM's host (bridge only).</param>
/// <param name="Tap">The tap device QEMU makes for it on the host (bridge only).</param>
/// <param name="Address">The address Hangar tells the guest (CIDR, or <c>dhcp</c>); null for none.</param>
public sealed record VmInterfaceInfo(
    string Type,
    string Mac,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Bridge = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Tap = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Address = null);
