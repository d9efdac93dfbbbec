namespace Hangar.Qemu;

/// <summary>How QEMU executes guest code.</summary>
public enum QemuAccelerator
{
    /// <summary>Hardware virtualisation through /dev/kvm (<c>accel=kvm</c>, <c>-cpu host</c>).</summary>
    Kvm,

    /// <summary>Software emulation (<c>accel=tcg</c>, <c>-cpu max</c>): slower, works everywhere.</summary>
    Tcg,
}
