namespace Hangar.Protocol.Api;

/// <summary>One line of <c>GET /api/v1/events</c>: something that happened, oldest first by <see cref="Id"/>.</summary>
/// <param name="Vm">The VM it is about; null for none.</param>
/// <param name="Agent">The agent it is about (for a VM's event, the agent that reported it); null for none.</param>
public sealed record EventEntry(long Id, DateTimeOffset At, string Kind, string? Vm, string Message, string? Agent = null);
