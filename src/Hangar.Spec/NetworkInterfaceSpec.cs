namespace Hangar.Spec;

/// <summary>
/// One network interface of a VM (an item of its <c>interfaces</c> list), in the order the guest sees them (PCI order:
/// <c>eth0</c>/<c>enp0s…</c> first).
/// </summary>
/// <param name="Type">User-mode network or a tap on a bridge.</param>
/// <param name="Bridge">The Linux bridge on the VM's host (<see cref="InterfaceType.Bridge"/> only): used as it is when it
/// exists, else made by the agent (up, without addresses: a private switch of that host).</param>
/// <param name="Mac">The interface's MAC address, lowercase (<c>52:54:00:12:ab:cd</c>): as the file gives it, else one
/// Hangar derives from the VM's name and the interface's position, kept from one generation to the next.</param>
/// <param name="Address">An address the guest gives itself on this interface, in CIDR form (<c>10.0.0.2/24</c>), or
/// <see cref="Dhcp"/>; null brings the link up without an address. Bridge interfaces only.</param>
public sealed record NetworkInterfaceSpec(InterfaceType Type, string? Bridge, string Mac, string? Address)
{
    /// <summary>The <see cref="Address"/> that asks the guest to use DHCP on the interface.</summary>
    public const string Dhcp = "dhcp";

    /// <summary>The host's tap device of bridge interface <paramref name="index"/> of VM <paramref name="vm"/>: <c>hg</c>, 10 hex
    /// digits of the VM name's sha256, <c>n</c> and the index (14 bytes; Linux takes 15). The same VM always gets the same names.</summary>
    public static string TapName(string vm, int index) =>
        $"hg{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(vm)))[..10]}n{index}";

    /// <summary><c>user 52:54:00:12:34:56</c>, <c>bridge hgbr0 52:54:00:ab:cd:ef 10.0.0.2/24</c>.</summary>
    public override string ToString() =>
        (Type == InterfaceType.User ? "user" : $"bridge {Bridge}") + " " + Mac + (Address is { } address ? " " + address : "");
}
