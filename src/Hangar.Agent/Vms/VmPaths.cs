using Hangar.Qemu;

namespace Hangar.Agent.Vms;

/// <summary>Where one VM's files live on its host.</summary>
public sealed record VmPaths(string StateDirectory, string DiskPath, string SerialLog, QemuRuntimePaths Runtime)
{
    public string RuntimeRecordPath => Path.Combine(Runtime.Directory, "vm.json");

    /// <summary>The VM's cloud-init seed (a <c>cidata</c> ISO 9660 volume), written again before each start.</summary>
    public string SeedPath => Path.Combine(StateDirectory, "seed.iso");

    /// <summary>The subdirectory of the state directory that holds the VM's named volumes.</summary>
    public const string VolumesDirectory = "volumes";

    /// <summary>Where named volume <paramref name="volume"/> lives: <c>volumes/NAME.qcow2</c> or <c>.raw</c> in the state directory,
    /// so it goes where the VM's disk goes (kept when the VM leaves the fleet, deleted by a purge).</summary>
    public string VolumePath(Hangar.Spec.VolumeSpec volume) =>
        Path.Combine(StateDirectory, VolumesDirectory, volume.Name + (volume.Format == Hangar.Spec.DiskFormat.Raw ? ".raw" : ".qcow2"));

    /// <summary>What the disk was made from (<see cref="DiskIdentity"/>), next to the disk.</summary>
    public string DiskIdentityPath => Path.Combine(StateDirectory, "disk.json");

    /// <summary>
    /// Where the disk is kept when generation <paramref name="generation"/> gives the VM another one:
    /// <c>disk.genN.qcow2</c>, or <c>disk.genN-2.qcow2</c>… when that name is taken. The identity goes along as <c>.json</c>.
    /// </summary>
    public string KeptDiskPath(long generation)
    {
        var name = Hangar.Spec.DiskChanges.KeptDiskName(generation);
        var path = Path.Combine(StateDirectory, name);
        for (var i = 2; File.Exists(path); i++)
            path = Path.Combine(StateDirectory, name.Replace(".qcow2", $"-{i}.qcow2", StringComparison.Ordinal));
        return path;
    }

    /// <summary>Whether <paramref name="fileName"/> is a disk (or its identity) kept aside by <see cref="KeptDiskPath"/>.</summary>
    public static bool IsKeptDisk(string fileName) =>
        fileName.StartsWith("disk.gen", StringComparison.Ordinal)
        && (fileName.EndsWith(".qcow2", StringComparison.Ordinal) || fileName.EndsWith(".json", StringComparison.Ordinal));

    public static VmPaths For(AgentOptions options, string vmName)
    {
        var state = Path.Combine(options.VmsDirectory, vmName);
        var serialLog = Path.Combine(state, "serial.log");
        return new VmPaths(state, Path.Combine(state, "disk.qcow2"), serialLog,
            QemuRuntimePaths.For(Path.Combine(options.RuntimeDirectory, vmName), serialLog));
    }
}
