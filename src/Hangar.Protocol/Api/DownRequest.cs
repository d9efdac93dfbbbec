namespace Hangar.Protocol.Api;

/// <summary>Body of <c>POST /api/v1/down</c>: stop every VM; with <paramref name="Purge"/> also delete their disks.</summary>
public sealed record DownRequest(bool Purge);
