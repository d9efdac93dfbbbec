using Hangar.Qemu;

namespace Hangar.Agent.Vms;

/// <summary>
/// Written next to a VM's QMP socket when its QEMU starts, so that an agent that restarts can adopt the QEMU:
/// the pid and its start time (a recycled pid is not ours), the configuration it runs, where its serial log stood.
/// <see cref="DiskBytes"/> is the disk size the configuration hash was made with, so that a change of the size alone
/// is recognised and applied online. <see cref="Confinement"/> says how the QEMU was confined (null: by an agent from
/// before confinement).
/// </summary>
public sealed record RuntimeRecord(int Pid, ulong ProcessStartTime, string ConfigHash, string Accelerator, DateTimeOffset StartedAt, long SerialLogOffset, long RestartNonce,
    string? ImageDigest = null, long? DiskBytes = null, string? Confinement = null)
{
    public QemuProcessIdentity Identity => new(Pid, ProcessStartTime);

    public static RuntimeRecord? TryRead(string path) => JsonStateFile.TryRead(path, AgentFilesJsonContext.Default.RuntimeRecord);

    public void Write(string path) => JsonStateFile.Write(path, this, AgentFilesJsonContext.Default.RuntimeRecord);
}
