namespace Hangar.Qemu;

/// <summary>The process to attach to is gone, or its pid now belongs to another process.</summary>
public sealed class QemuNotRunningException : QemuException
{
    public QemuNotRunningException(QemuProcessIdentity process)
        : base($"QEMU process {process.Pid} (start time {process.StartTime}) is not running.")
    {
        Process = process;
    }

    public QemuProcessIdentity Process { get; }
}
