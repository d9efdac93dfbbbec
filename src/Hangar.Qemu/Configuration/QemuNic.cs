namespace Hangar.Qemu;

/// <summary>A virtio-net NIC of the VM: on QEMU's user-mode network (where <see cref="QemuVmConfig.Forwards"/> go), or
/// on a tap device that QEMU creates under <see cref="Tap"/> (the agent then puts it on its bridge).</summary>
/// <param name="Id">The netdev and device id: a letter, then letters, digits, '-', '.' or '_'.</param>
/// <param name="Mac">The NIC's MAC address (<c>52:54:00:12:34:56</c>); null for QEMU's default.</param>
/// <param name="Tap">The tap's interface name on the host (at most 15 bytes); null for the user-mode network.</param>
/// <param name="Bridge">The host bridge the tap goes on. Not on QEMU's command line (the agent attaches the tap); it is
/// what a libvirt domain of the VM names.</param>
public sealed record QemuNic(string Id, string? Mac, string? Tap = null, string? Bridge = null)
{
    /// <summary>The longest network interface name Linux takes (IFNAMSIZ is 16, with the NUL).</summary>
    public const int MaxTapNameBytes = 15;
}
