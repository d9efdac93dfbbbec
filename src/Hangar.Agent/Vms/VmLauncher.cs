using System.Security.Cryptography;
using System.Text;
using Hangar.Agent.Images;
using Hangar.Protocol.Agent;
using Hangar.Qemu;
using Hangar.Spec;

namespace Hangar.Agent.Vms;

/// <summary>
/// Resolves a desired VM into a <see cref="VmLaunchPlan"/>, prepares its disk, and launches its QEMU paused,
/// daemonized, with a QMP socket; the caller continues it. Shared by all VMs of an agent.
/// </summary>
public sealed class VmLauncher(AgentOptions options, VmImageResolver images, AcceleratorResolver accelerators)
{
    private readonly QemuImg _qemuImg = new();

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
        if (BuiltinImages.IsBuiltin(spec.Image))
        {
            var tiny = await images.GetTinyAsync(progress, ct);
            kernel = tiny.KernelPath;
            initrd = tiny.InitrdPath;
            cmdline = $"{tiny.KernelCommandLine} hangar.name={spec.Name}" + (spec.KernelArgs is { Length: > 0 } extra ? " " + extra : "");
            hasDisk = spec.Disk is not null;
            imageDigest = tiny.Digest;
        }
        else
        {
            var image = desired.Image ?? throw new InvalidOperationException($"VM {spec.Name} names image '{spec.Image}' but its desired state carries no image.");
            progress?.Report($"verifying image {image.Name}");
            imageDigest = await images.VerifyAsync(image, ct);
            backing = image.Path;
            backingFormat = image.Format == DiskFormat.Raw ? "raw" : "qcow2";
            hasDisk = true;
        }

        var drives = hasDisk ? new[] { new QemuDrive(paths.DiskPath, "qcow2", "disk0") } : [];
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
            Paths = paths.Runtime,
        };
        var hash = Hash(string.Join('\n', QemuCommandLine.Build(config)), imageDigest, diskBytes?.ToString() ?? "-");
        return new VmLaunchPlan(config, hash, hasDisk, backing, backingFormat, diskBytes, imageDigest);
    }

    /// <summary>Creates the VM's disk when it has none yet; an existing disk is kept (it holds the guest's data).</summary>
    public async Task PrepareDiskAsync(VmLaunchPlan plan, CancellationToken ct)
    {
        var paths = VmPaths.For(options, plan.Config.Name);
        Directory.CreateDirectory(paths.StateDirectory);
        if (!plan.HasDisk || File.Exists(paths.DiskPath)) return;
        var temp = paths.DiskPath + ".new";
        File.Delete(temp);
        if (plan.BackingImage is { } backing)
            await _qemuImg.CreateOverlayAsync(backing, plan.BackingFormat!, temp, plan.DiskBytes, ct);
        else
            await _qemuImg.CreateBlankAsync(temp, plan.DiskBytes!.Value, ct);
        // qemu-img writes the backing path into the overlay as given; renaming keeps it valid.
        File.Move(temp, paths.DiskPath);
    }

    /// <summary>Starts QEMU paused and attaches to its QMP socket. The VM does not run until it is continued.</summary>
    public async Task<(QemuInstance Instance, RuntimeRecord Record)> LaunchAsync(VmLaunchPlan plan, long restartNonce, CancellationToken ct)
    {
        var paths = VmPaths.For(options, plan.Config.Name);
        Directory.CreateDirectory(paths.StateDirectory);
        var logOffset = File.Exists(paths.SerialLog) ? new FileInfo(paths.SerialLog).Length : 0;
        var identity = await QemuLauncher.LaunchAsync(plan.Config, ct);
        var record = new RuntimeRecord(identity.Pid, identity.StartTime, plan.ConfigHash,
            plan.Config.Accelerator == QemuAccelerator.Kvm ? "kvm" : "tcg", DateTimeOffset.UtcNow, logOffset, restartNonce, plan.ImageDigest);
        record.Write(paths.RuntimeRecordPath);
        try
        {
            var instance = await QemuInstance.AttachAsync(plan.Config.Paths, identity, ct);
            return (instance, record);
        }
        catch
        {
            identity.Kill();
            throw;
        }
    }

    private static string Hash(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', parts))));
}
