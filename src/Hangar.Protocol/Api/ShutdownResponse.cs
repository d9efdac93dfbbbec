namespace Hangar.Protocol.Api;

/// <summary>Answer of <c>POST /api/v1/shutdown</c>: <c>{"stopping":true}</c>; the server stops right after sending it.</summary>
public sealed record ShutdownResponse(bool Stopping);
