namespace Hangar.Spec;

/// <summary>An inclusive range of host ports, written <c>2223-2322</c>.</summary>
public sealed record PortRange(int First, int Last)
{
    public bool Contains(int port) => port >= First && port <= Last;

    public override string ToString() => $"{First}-{Last}";
}
