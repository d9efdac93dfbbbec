using System.Text.Json.Serialization;

namespace Hangar.Protocol.Agent.Wire;

/// <summary>A VM's network interface as the agent protocol carries it (since version 7).</summary>
/// <param name="Type">user or bridge.</param>
/// <param name="Mac">The NIC's MAC address, lowercase.</param>
/// <param name="Bridge">The bridge on the agent's host (bridge only): used when it exists, made otherwise.</param>
/// <param name="Address">The guest's address on it in CIDR form, which the agent tells the guest; null for none.</param>
public sealed record WireInterface(
    WireInterfaceType Type,
    string Mac,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Bridge = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Address = null);
