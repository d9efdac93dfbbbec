using System.ComponentModel;
using System.Runtime.InteropServices;
using Hangar.Qemu.Internal;

namespace Hangar.Qemu;

/// <summary>
/// Names one process for good: its pid plus its start time (field 22 of <c>/proc/PID/stat</c>). A recycled pid has
/// another start time, so it is never mistaken for our QEMU. Persist both to re-attach after an agent restart.
/// </summary>
public sealed record QemuProcessIdentity(int Pid, ulong StartTime)
{
    /// <summary>The identity of the running process <paramref name="pid"/>; null if there is none or it has exited
    /// (a zombie counts as exited: an adopted QEMU is not our child, so nobody of ours will reap it).</summary>
    public static QemuProcessIdentity? Read(int pid)
    {
        if (pid <= 0) return null;
        return ProcStat.Read(pid) is { IsExited: false } stat ? new QemuProcessIdentity(pid, stat.StartTime) : null;
    }

    /// <summary>True while a process with this pid AND this start time runs (not a zombie).</summary>
    public bool IsAlive() => ProcStat.Read(Pid) is { IsExited: false } stat && stat.StartTime == StartTime;

    /// <summary>Sends SIGTERM (QEMU shuts down like <c>quit</c>). False if the process was already gone.</summary>
    public bool Terminate() => Signal(LibC.SIGTERM);

    /// <summary>Sends SIGKILL. False if the process was already gone.</summary>
    public bool Kill() => Signal(LibC.SIGKILL);

    private bool Signal(int signal)
    {
        // The check and the kill(2) are not atomic; a pid recycled in between these microseconds is accepted as a
        // risk (pidfd_send_signal would close it).
        if (!IsAlive()) return false;
        if (LibC.Kill(Pid, signal) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == LibC.ESRCH) return false;
        throw new Win32Exception(errno, $"Could not send signal {signal} to process {Pid}.");
    }
}
