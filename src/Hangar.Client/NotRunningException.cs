namespace Hangar.Client;

/// <summary>No control plane answers for this Hangar home.</summary>
public sealed class NotRunningException(string home, Exception? inner = null)
    : Exception($"No Hangar is running for {home}; start one with 'hangar up FILE'.", inner)
{
    public string Home { get; } = home;
}
