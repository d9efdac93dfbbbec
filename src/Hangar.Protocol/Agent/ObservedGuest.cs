namespace Hangar.Protocol.Agent;

/// <summary>What the guest agent (qemu-ga) in a running VM last said about its guest; absent while no agent answers.</summary>
/// <param name="Os">The guest's OS (<c>guest-get-osinfo</c>'s pretty name), null when it does not say.</param>
/// <param name="HostName">The guest's host name.</param>
/// <param name="Addresses">The guest's IP addresses as <c>ADDRESS/PREFIX</c>, loopback left out.</param>
public sealed record ObservedGuest(string? Os, string? HostName, IReadOnlyList<string> Addresses)
{
    public bool Equals(ObservedGuest? other) =>
        other is not null && Os == other.Os && HostName == other.HostName && Addresses.SequenceEqual(other.Addresses);

    public override int GetHashCode() => HashCode.Combine(Os, HostName, Addresses.Count);
}
