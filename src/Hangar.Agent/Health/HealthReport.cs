using Hangar.Protocol.Agent;

namespace Hangar.Agent.Health;

/// <summary>A change of a VM's health, with what the check saw in words (for status, events and rollback reasons).</summary>
public readonly record struct HealthReport(HealthState State, string? Detail);
