namespace Hangar.Spec;

/// <summary>What a VM's network interface is attached to.</summary>
public enum InterfaceType
{
    /// <summary>QEMU's user-mode network (slirp): outbound NAT, and the VM's <c>forwards</c> from the host's loopback.</summary>
    User,

    /// <summary>A tap device on a Linux bridge of the VM's host: a real layer-2 link to the other VMs (and whatever else)
    /// on that bridge.</summary>
    Bridge,
}
