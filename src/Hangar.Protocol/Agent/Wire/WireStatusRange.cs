namespace Hangar.Protocol.Agent.Wire;

/// <summary>An inclusive range of HTTP status codes; one code when <paramref name="Min"/> equals <paramref name="Max"/>.</summary>
public sealed record WireStatusRange(int Min, int Max);
