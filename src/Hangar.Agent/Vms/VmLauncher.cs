using System.Security.Cryptography;
using System.Text;
using Hangar.Agent.Guests;
using Hangar.Agent.Images;
using Hangar.Agent.Networking;
using Hangar.Agent.Secrets;
using Hangar.Protocol.Agent;
using Hangar.Qemu;
using Hangar.Spec;

namespace Hangar.Agent.Vms;

/// <summary>
/// Resolves a desired VM into a <see cref="VmLaunchPlan"/>, prepares its disk, and launches its QEMU paused,
/// detached and confined (seccomp, and its own user id when the agent is root), with a QMP socket; the caller
/// continues it. Shared by all VMs of an agent.
/// </summary>
public sealed class VmLauncher(AgentOptions options, VmImageResolver images, AcceleratorResolver accelerators, CredentialStaging credentials,
    HostBridges? hostBridges = null, Shares.VirtiofsDaemons? virtiofs = null)
{
    private readonly HostBridges bridges = hostBridges ?? HostBridges.Instance;
    private readonly Shares.VirtiofsDaemons _virtiofs = virtiofs ?? Shares.VirtiofsDaemons.Instance;
    private readonly QemuImg _qemuImg = new();
    private readonly SeedImageWriter _seeds = new();
    private readonly Confinement.QemuUserIds? _qemuUsers = options.QemuUsers is { } range ? new(options.QemuUserIdsPath, range) : null;

    public AgentOptions Options => options;

    public async Task<VmLaunchPlan> PlanAsync(DesiredVm desired, IProgress<string>? progress, CancellationToken ct)
    {
        var spec = desired.Spec;
        var paths = VmPaths.For(options, spec.Name);
        var accel = await accelerators.ResolveAsync(progress, ct);
        string? kernel = null, initrd = null, cmdline = null, backing = null, backingFormat = null;
        long? diskBytes = spec.Disk?.Bytes;
        bool hasDisk;
        string imageDigest;
        CloudInitSeed? seed = null;
        if (spec.Image == BuiltinImages.Debian12)
        {
            var debian = await images.GetDebian12Async(progress, ct);
            kernel = debian.KernelPath;
            initrd = debian.InitrdPath;
            cmdline = debian.KernelCommandLine + (spec.KernelArgs is { Length: > 0 } extra ? " " + extra : "");
            backing = debian.DiskPath;
            backingFormat = "qcow2";
            hasDisk = true;
            imageDigest = debian.Digest;
            seed = CloudInitSeed.For(spec.Name, spec.Guest, HostKeyOf(spec), spec.Interfaces, spec.Shares);
        }
        else if (BuiltinImages.IsBuiltin(spec.Image))
        {
            var tiny = await images.GetTinyAsync(progress, ct);
            kernel = tiny.KernelPath;
            initrd = tiny.InitrdPath;
            cmdline = $"{tiny.KernelCommandLine} hangar.name={spec.Name}" + TinyAddresses(spec) + TinyShares(spec) + (spec.KernelArgs is { Length: > 0 } extra ? " " + extra : "");
            hasDisk = spec.Disk is not null;
            imageDigest = tiny.Digest;
        }
        else
        {
            var image = desired.Image ?? throw new InvalidOperationException($"VM {spec.Name} names image '{spec.Image}' but its desired state carries no image.");
            var stored = await images.FetchAsync(image, desired.ImageBytes, progress, ct);
            imageDigest = stored.Sha256;
            backing = stored.Path;
            backingFormat = image.Format == DiskFormat.Raw ? "raw" : "qcow2";
            hasDisk = true;
            // A disk image of the fleet's own may have cloud-init too: a guest mapping is its seed.
            if (spec.Guest is { } guest) seed = CloudInitSeed.For(spec.Name, guest, HostKeyOf(spec), spec.Interfaces, spec.Shares);
        }

        var drives = new List<QemuDrive>();
        if (hasDisk) drives.Add(new QemuDrive(paths.DiskPath, "qcow2", "disk0"));
        // A seed with the VM's host key in it lives on the credentials' tmpfs, never in the state directory.
        if (seed is not null) drives.Add(new QemuDrive(HostKeyOf(spec) is null ? paths.SeedPath : credentials.SeedPathFor(spec.Name), "raw", "seed", ReadOnly: true));
        foreach (var volume in spec.Volumes ?? [])
            drives.Add(new QemuDrive(paths.VolumePath(volume), Format(volume.Format), $"vol-{volume.Name}", Serial: volume.Name));
        var handed = credentials.Arguments(spec.Name, spec.Credentials, spec.Identity);
        var forwards = spec.Forwards.Select(f => new QemuPortForward(
            f.Protocol == PortProtocol.Udp ? "udp" : "tcp", "127.0.0.1", f.HostPort, f.GuestPort)).ToArray();
        var config = new QemuVmConfig
        {
            Name = spec.Name,
            Accelerator = accel,
            Vcpu = spec.Vcpu,
            MemoryMiB = checked((int)spec.Memory.MiBytes),
            Kernel = kernel,
            Initrd = initrd,
            KernelCommandLine = cmdline,
            Drives = drives,
            Forwards = forwards,
            Network = true,
            Nics = spec.Interfaces?.Select((nic, index) => new QemuNic($"net{index}", nic.Mac,
                nic.Type == InterfaceType.Bridge ? NetworkInterfaceSpec.TapName(spec.Name, index) : null, nic.Bridge)).ToArray() ?? [],
            VsockCid = spec.VsockCid,
            FwCfgFiles = handed.FwCfgFiles,
            OemStrings = handed.OemStrings,
            VncPort = spec.VncPort,
            Shares = spec.Shares?.Select((share, index) => new QemuShare($"fs{index}", share.Tag,
                Path.Combine(paths.Runtime.Directory, $"fs{index}.sock"), share.Source, share.ReadOnly)).ToArray() ?? [],
            Balloon = spec.Balloon,
            Paths = paths.Runtime,
            Confinement = ConfinementOf(spec.Name),
        };
        var source = !hasDisk ? null : backing is null ? DiskIdentity.Blank : DiskIdentity.OverlayOn(imageDigest);
        // Volume sizes are not on the command line: they join the hash (only when there are volumes, so a VM without
        // any hashes as before), and a grown volume restarts the VM, which grows it before QEMU starts.
        var unseen = spec.Volumes is { Count: > 0 } volumes ? handed.SecretsDigest + "\nvolumes " + string.Join(',', volumes.Select(v => $"{v.Name}={v.Size.Bytes}")) : handed.SecretsDigest;
        // Bridges and guest addresses are not on the command line either (the tap's name stays), yet a change of them restarts the VM.
        if (spec.Interfaces is { } interfaces) unseen += "\ninterfaces " + string.Join(',', interfaces);
        // Nor are a share's directory, its mount point and whether it is read-only.
        if (spec.Shares is { } shares) unseen += "\nshares " + string.Join(',', shares);
        return new VmLaunchPlan(config, ConfigHash(config, imageDigest, diskBytes, unseen), hasDisk, backing, backingFormat, diskBytes,
            imageDigest, source, seed)
        {
            Credentials = spec.Credentials, UnseenDigest = unseen, Identity = HostKeyOf(spec) is null ? null : spec.Identity, Volumes = spec.Volumes,
            Taps = spec.Interfaces?.Select((nic, index) => (nic, index)).Where(e => e.nic.Type == InterfaceType.Bridge)
                .Select(e => new TapOnBridge(NetworkInterfaceSpec.TapName(spec.Name, e.index), e.nic.Bridge!)).ToArray() ?? [],
        };
    }

    /// <summary>For the tiny guest's /init: <c> hangar.ip=MAC,ADDRESS</c> for each interface it configures: the user-mode one
    /// by DHCP, a bridge one with its address (or DHCP). Nothing for a VM without <c>interfaces</c>: /init takes eth0 then.</summary>
    private static string TinyAddresses(VmSpec spec) =>
        string.Concat((spec.Interfaces ?? []).Select(i => (i.Mac, Address: i.Type == InterfaceType.User ? NetworkInterfaceSpec.Dhcp : i.Address))
            .Where(i => i.Address is not null).Select(i => $" hangar.ip={i.Mac},{i.Address}"));

    /// <summary>For the tiny guest's /init: <c> hangar.share=TAG,MOUNTPOINT[,ro]</c> for each share it mounts.</summary>
    private static string TinyShares(VmSpec spec) =>
        string.Concat((spec.Shares ?? []).Where(s => s.MountPoint is not null).Select(s => $" hangar.share={s.Tag},{s.MountPoint}" + (s.ReadOnly ? ",ro" : "")));

    /// <summary>What a VM needs of its host before QEMU starts: /dev/vhost-vsock for a vsock device, its bridges.</summary>
    private async Task PrepareHostAsync(VmLaunchPlan plan, CancellationToken ct)
    {
        if (plan.Config.VsockCid is not null && !File.Exists(VhostVsockDevice))
            throw new InvalidOperationException($"VM '{plan.Config.Name}' has a vsock device, and this host has no {VhostVsockDevice}: load the vhost_vsock kernel module (modprobe vhost_vsock), or remove 'vsock'");
        if (plan.Config.VsockCid is not null && !Environment.IsPrivilegedProcess)
        {
            // QEMU opens the device as this agent's user; say so here rather than leave it to QEMU's one line.
            try
            {
                using var device = new FileStream(VhostVsockDevice, FileMode.Open, FileAccess.ReadWrite);
            }
            catch (UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"VM '{plan.Config.Name}' has a vsock device, and this agent's user ({Environment.UserName}) may not open {VhostVsockDevice}; run the agent as root, give its user read and write access to the device, or remove 'vsock'");
            }
        }
        foreach (var bridge in plan.Taps.Select(t => t.Bridge).Distinct(StringComparer.Ordinal))
            await bridges.EnsureAsync(bridge, ct);
    }

    private const string VhostVsockDevice = "/dev/vhost-vsock";

    private static string Format(DiskFormat format) => format == DiskFormat.Raw ? "raw" : "qcow2";

    /// <summary>Makes each volume the VM lacks (empty) and grows each that is smaller than declared; never shrinks one.</summary>
    /// <returns>What was done, for the log; null when nothing was.</returns>
    private async Task<string?> PrepareVolumesAsync(VmLaunchPlan plan, CancellationToken ct)
    {
        var paths = VmPaths.For(options, plan.Config.Name);
        var done = new List<string>();
        foreach (var volume in plan.Volumes ?? [])
        {
            var path = paths.VolumePath(volume);
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var temp = path + ".new";
                File.Delete(temp);
                await _qemuImg.CreateBlankAsync(temp, Format(volume.Format), volume.Size.Bytes, ct);
                File.Move(temp, path);
                done.Add($"made volume {volume}");
            }
            else if ((await _qemuImg.InfoAsync(path, ct)).VirtualSizeBytes is var size && size < volume.Size.Bytes)
            {
                await _qemuImg.GrowAsync(path, Format(volume.Format), volume.Size.Bytes, ct);
                done.Add($"grew volume {volume.Name} from {size} to {volume.Size.Bytes} bytes");
            }
        }
        return done.Count == 0 ? null : string.Join("; ", done);
    }

    private static string? HostKeyOf(VmSpec spec) => spec.Identity is { IsPending: false } identity ? identity.PublicKey : null;

    /// <summary>
    /// Makes the VM's disk what <paramref name="plan"/> says, before QEMU starts (see <see cref="DiskChanges"/>):
    /// <list type="bullet">
    /// <item>a disk made from another image (or one the VM no longer has) is kept aside as <c>disk.genN.qcow2</c>, N
    /// being the generation before <paramref name="generation"/>, and the VM gets a new disk;</item>
    /// <item>a disk made from the same image is kept with its data, and grown when the plan's size is larger;</item>
    /// <item>a disk is never shrunk: a smaller size (a rollback) leaves it as large as it is.</item>
    /// </list>
    /// </summary>
    /// <returns>What was done, for the log; null when the disk was used as it is.</returns>
    public async Task<string?> PrepareDiskAsync(VmLaunchPlan plan, long generation, CancellationToken ct)
    {
        var disk = await PrepareMainDiskAsync(plan, generation, ct);
        var volumes = await PrepareVolumesAsync(plan, ct);
        return disk is null ? volumes : volumes is null ? disk : $"{disk}; {volumes}";
    }

    private async Task<string?> PrepareMainDiskAsync(VmLaunchPlan plan, long generation, CancellationToken ct)
    {
        var paths = VmPaths.For(options, plan.Config.Name);
        CreatePrivateDirectory(paths.StateDirectory);
        string? done = null;
        if (File.Exists(paths.DiskPath))
        {
            // A disk from before identities were recorded is taken to be the one the VM has: keeping data beats guessing.
            var identity = DiskIdentity.TryRead(paths.DiskIdentityPath);
            if (identity is null && plan.DiskSource is { } assumed) new DiskIdentity(assumed, generation).Write(paths.DiskIdentityPath);
            else if (!plan.HasDisk || identity!.Source != plan.DiskSource)
            {
                var kept = paths.KeptDiskPath(generation - 1);
                File.Move(paths.DiskPath, kept);
                if (File.Exists(paths.DiskIdentityPath)) File.Move(paths.DiskIdentityPath, Path.ChangeExtension(kept, ".json"), overwrite: true);
                done = $"kept its old disk (made from {identity?.Source ?? "unknown"}) as {Path.GetFileName(kept)}";
            }
        }
        if (!plan.HasDisk) return done;
        if (File.Exists(paths.DiskPath))
        {
            if (plan.DiskBytes is not { } wanted) return done;
            var size = (await _qemuImg.InfoAsync(paths.DiskPath, ct)).VirtualSizeBytes;
            if (wanted <= size) return done;
            await _qemuImg.GrowAsync(paths.DiskPath, wanted, ct);
            return $"grew its disk from {size} to {wanted} bytes";
        }
        var temp = paths.DiskPath + ".new";
        File.Delete(temp);
        if (plan.BackingImage is { } backing)
            await _qemuImg.CreateOverlayAsync(backing, plan.BackingFormat!, temp, plan.DiskBytes, ct);
        else
            await _qemuImg.CreateBlankAsync(temp, plan.DiskBytes!.Value, ct);
        // qemu-img writes the backing path into the overlay as given; renaming keeps it valid. The identity goes first:
        // a crash between the two leaves an identity without a disk, which the next start overwrites.
        new DiskIdentity(plan.DiskSource!, generation).Write(paths.DiskIdentityPath);
        File.Move(temp, paths.DiskPath);
        return (done is null ? "" : done + "; ") + $"made a new disk ({plan.DiskSource})";
    }

    /// <summary>
    /// Applies a change of the disk's size to the running VM without a restart, when the size is all that differs
    /// from what it runs: grows the disk through QMP (<c>block_resize</c>; the guest sees the new capacity at once),
    /// or, when the size is not larger (a rollback, or no size on a disk image), leaves the disk as it is.
    /// </summary>
    /// <returns>The runtime record to keep (written to disk); null when more than the size changed, so the VM must
    /// restart.</returns>
    /// <exception cref="QemuException">QEMU refused the resize; restarting the VM grows it offline.</exception>
    public async Task<RuntimeRecord?> TryResizeOnlineAsync(QemuInstance instance, RuntimeRecord record, VmLaunchPlan plan, CancellationToken ct)
    {
        if (record.DiskBytes is not { } ranWith || !plan.HasDisk || ConfigHash(plan.Config, plan.ImageDigest, ranWith, plan.UnseenDigest) != record.ConfigHash)
            return null;
        var paths = VmPaths.For(options, plan.Config.Name);
        if (plan.DiskBytes is { } wanted && wanted > (await _qemuImg.InfoAsync(paths.DiskPath, ct)).VirtualSizeBytes)
            await instance.GrowDiskAsync(plan.Config.Drives[0].Id, wanted, ct);
        var updated = record with { ConfigHash = plan.ConfigHash, DiskBytes = plan.DiskBytes };
        updated.Write(paths.RuntimeRecordPath);
        return updated;
    }

    /// <summary>Starts QEMU paused and attaches to its QMP socket. The VM does not run until it is continued.</summary>
    public async Task<(QemuInstance Instance, RuntimeRecord Record)> LaunchAsync(VmLaunchPlan plan, long restartNonce, CancellationToken ct)
    {
        var paths = VmPaths.For(options, plan.Config.Name);
        CreatePrivateDirectory(paths.StateDirectory);
        var logOffset = File.Exists(paths.SerialLog) ? new FileInfo(paths.SerialLog).Length : 0;
        if (plan.Seed is { } seed && plan.Identity is null) await _seeds.WriteAsync(seed, paths.SeedPath, ct);
        await PrepareHostAsync(plan, ct);
        // A secret's plaintext exists from here until QEMU has started: QEMU reads fw_cfg files at start-up, before
        // it answers on QMP, so the files go as soon as the launch returns (or fails). A seed with the host
        // key is open in QEMU by then: it is unlinked, and its memory goes when QEMU closes it.
        QemuProcessIdentity identity;
        Shares.VirtiofsDaemons.Serving? serving = null;
        // virtiofsd listens before QEMU starts: QEMU connects to each share's socket as it starts, and fails without.
        // Not while a QEMU still runs there (the launch refuses it): its virtiofsds serve it.
        var serve = plan.Config.Shares.Count > 0 && QemuLauncher.FindRunning(plan.Config.Paths) is null;
        using (var staged = credentials.Stage(plan.Config.Name, plan.Credentials, plan.Identity))
        {
            if (plan.Seed is { } keyed && plan.Identity is { PublicKey: { } publicKey } && staged.HostKey is { } hostKey)
                await _seeds.WriteAsync(keyed.WithHostKey(Encoding.ASCII.GetString(hostKey), $"{publicKey} root@{plan.Config.Name}"),
                    credentials.SeedPathFor(plan.Config.Name), ct, credentials.SeedWorkFor(plan.Config.Name));
            if (serve) serving = await _virtiofs.StartAsync(plan.Config.Name, plan.Config.Shares, ct);
            try
            {
                identity = await QemuLauncher.LaunchAsync(plan.Config, ct);
            }
            catch
            {
                if (serve) Shares.VirtiofsDaemons.Stop(plan.Config.Shares);
                throw;
            }
        }
        if (serving is not null)
        {
            // Each virtiofsd took QEMU's connection while QEMU started; its first process exits once it has daemonized.
            try
            {
                await serving.WhenDaemonizedAsync(ct);
            }
            catch
            {
                identity.Kill();
                Shares.VirtiofsDaemons.Stop(plan.Config.Shares);
                throw;
            }
        }
        var record = new RuntimeRecord(identity.Pid, identity.StartTime, plan.ConfigHash,
            plan.Config.Accelerator == QemuAccelerator.Kvm ? "kvm" : "tcg", options.Time.GetUtcNow(), logOffset, restartNonce, plan.ImageDigest,
            plan.DiskBytes, plan.Config.Confinement.ToString());
        record.Write(paths.RuntimeRecordPath);
        try
        {
            // QEMU made the taps and waits paused (-S): on their bridges before the guest sends a frame.
            foreach (var tap in plan.Taps) await bridges.AttachAsync(tap.Tap, tap.Bridge, ct);
            var instance = await QemuInstance.AttachAsync(plan.Config.Paths, identity, ct);
            return (instance, record);
        }
        catch
        {
            identity.Kill();
            throw;
        }
    }

    /// <summary>
    /// The VM's state directory (disk, volumes, serial log, seed), root's alone (0700, also when it existed): QEMUs
    /// run as users of their own, and none may reach another VM's files by their paths.
    /// </summary>
    private static void CreatePrivateDirectory(string directory)
    {
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(directory, OwnerOnly);
        File.SetUnixFileMode(directory, OwnerOnly);
    }

    /// <summary>The VM's QEMU under seccomp, dropping to the VM's own user id when the agent has a range of them (as
    /// root; the id is allocated the first time). The config hash leaves it out (<see cref="QemuCommandLine.HashForm"/>).</summary>
    private QemuConfinement ConfinementOf(string vmName) =>
        _qemuUsers?.For(vmName) is { } uid ? QemuConfinement.RunAs(uid, uid) : QemuConfinement.Sandboxed;

    /// <summary>
    /// The hash of the QEMU command line, the image, the disk size and the secrets' ciphertext: a running VM whose hash
    /// differs changes. A VM without secrets hashes as it did before credentials existed, so upgrading restarts nothing.
    /// </summary>
    private static string ConfigHash(QemuVmConfig config, string imageDigest, long? diskBytes, string unseenDigest) =>
        unseenDigest.Length == 0
            ? Hash(string.Join('\n', QemuCommandLine.HashForm(config)), imageDigest, diskBytes?.ToString() ?? "-")
            : Hash(string.Join('\n', QemuCommandLine.HashForm(config)), imageDigest, diskBytes?.ToString() ?? "-", unseenDigest);

    private static string Hash(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', parts))));
}
