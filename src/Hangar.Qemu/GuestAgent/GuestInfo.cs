namespace Hangar.Qemu;

/// <summary>What the guest agent says about its guest.</summary>
/// <param name="OsName">The OS's pretty name (<c>guest-get-osinfo</c>'s <c>pretty-name</c>, else its name and version), null when not told.</param>
/// <param name="HostName">The guest's host name (<c>guest-get-host-name</c>), null when not told.</param>
/// <param name="Addresses">The guest's IP addresses as <c>ADDRESS/PREFIX</c>, loopback left out (<c>guest-network-get-interfaces</c>).</param>
public sealed record GuestInfo(string? OsName, string? HostName, IReadOnlyList<string> Addresses)
{
    public bool Equals(GuestInfo? other) =>
        other is not null && OsName == other.OsName && HostName == other.HostName && Addresses.SequenceEqual(other.Addresses);

    public override int GetHashCode() => HashCode.Combine(OsName, HostName, Addresses.Count);
}
