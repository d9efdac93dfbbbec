using Hangar.Qemu;

namespace Hangar.Agent.Vms;

/// <summary>Where one VM's files live on its host.</summary>
public sealed record VmPaths(string StateDirectory, string DiskPath, string SerialLog, QemuRuntimePaths Runtime)
{
    public string RuntimeRecordPath => Path.Combine(Runtime.Directory, "vm.json");

    public static VmPaths For(AgentOptions options, string vmName)
    {
        var state = Path.Combine(options.VmsDirectory, vmName);
        var serialLog = Path.Combine(state, "serial.log");
        return new VmPaths(state, Path.Combine(state, "disk.qcow2"), serialLog,
            QemuRuntimePaths.For(Path.Combine(options.RuntimeDirectory, vmName), serialLog));
    }
}
