namespace Hangar.Protocol.Api;

/// <summary>One line of <c>GET /api/v1/events</c>: something that happened, oldest first by <see cref="Id"/>.</summary>
public sealed record EventEntry(long Id, DateTimeOffset At, string Kind, string? Vm, string Message);
