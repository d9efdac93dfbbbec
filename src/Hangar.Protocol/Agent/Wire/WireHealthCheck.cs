namespace Hangar.Protocol.Agent.Wire;

/// <summary>
/// A VM's health check as the agent protocol carries it. Exactly one of <paramref name="SerialMarker"/>,
/// <paramref name="TcpGuestPort"/>, <paramref name="Http"/> and <see cref="Exec"/> is set.
/// </summary>
/// <param name="SerialMarker">Healthy once this text appears on the serial console.</param>
/// <param name="TcpGuestPort">Healthy while the guest accepts TCP connections on this port.</param>
/// <param name="Timeout">How long after start the guest may take to become healthy.</param>
/// <param name="Http">Healthy while an HTTP request to a guest port answers with an accepted status.</param>
/// <param name="Interval">How often a tcp or http check runs once healthy. Optional on the wire (control planes from
/// before it existed leave it out); null means the fleet file's default.</param>
/// <param name="Failures">Failed checks in a row that make a healthy VM unhealthy. Optional like <paramref name="Interval"/>.</param>
/// <param name="Restart">Restart the VM when it becomes unhealthy. Optional like <paramref name="Interval"/>.</param>
public sealed record WireHealthCheck(
    string? SerialMarker,
    int? TcpGuestPort,
    TimeSpan Timeout,
    WireHttpCheck? Http = null,
    TimeSpan? Interval = null,
    int? Failures = null,
    bool? Restart = null)
{
    /// <summary>Healthy while this command (program, arguments), run by the guest agent, exits 0. Since version 5; left out when null.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Exec { get; init; }
}
