using Hangar.Agent.Guests;
using Hangar.Qemu;

namespace Hangar.Agent.Vms;

/// <summary>
/// Everything needed to start one VM, resolved from its desired spec: the QEMU configuration, how its disk is made,
/// and a hash of both. A running VM whose hash differs from its desired plan's is restarted to apply the change.
/// </summary>
/// <param name="BackingImage">The base image an overlay disk is created on, or null for a blank disk.</param>
/// <param name="DiskBytes">Virtual size of the VM's disk; null keeps the base image's size.</param>
/// <param name="ImageDigest">The sha256 of the image as resolved on this host (for tiny, its content-addressed build).</param>
/// <param name="DiskSource">What the VM's disk must be made from (<see cref="DiskIdentity.Source"/>); null without a disk.</param>
/// <param name="Seed">The cloud-init seed written before each start (the config's drive <c>seed</c>); null for none. Its
/// content is not part of <see cref="ConfigHash"/>: a changed guest takes effect at the next boot, without a restart.</param>
public sealed record VmLaunchPlan(QemuVmConfig Config, string ConfigHash, bool HasDisk, string? BackingImage, string? BackingFormat, long? DiskBytes,
    string ImageDigest, string? DiskSource, CloudInitSeed? Seed = null)
{
    /// <summary>The VM's credentials: its secrets are decrypted from here at each start (<see cref="Secrets.CredentialStaging.Stage"/>).</summary>
    public Hangar.Spec.ValueList<Hangar.Spec.CredentialSpec>? Credentials { get; init; }

    /// <summary>What <see cref="ConfigHash"/> covers that the command line does not show: a digest of the secrets'
    /// ciphertext and the volumes' sizes; empty for a VM with neither (which then hashes as before both existed).</summary>
    public string UnseenDigest { get; init; } = "";

    /// <summary>The VM's host key, staged with its secrets and put into its seed at each start; null without one.</summary>
    public Hangar.Spec.VmIdentity? Identity { get; init; }

    /// <summary>The VM's named volumes, attached after its disk and seed; made and grown before each start.</summary>
    public Hangar.Spec.ValueList<Hangar.Spec.VolumeSpec>? Volumes { get; init; }

    /// <summary>The taps QEMU makes for the VM's bridge interfaces, and the bridge each goes on before the VM runs.</summary>
    public IReadOnlyList<TapOnBridge> Taps { get; init; } = [];
}
