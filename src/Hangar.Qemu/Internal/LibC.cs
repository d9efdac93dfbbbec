using System.Runtime.InteropServices;

namespace Hangar.Qemu.Internal;

internal static partial class LibC
{
    public const int SIGTERM = 15;
    public const int SIGKILL = 9;
    public const int ESRCH = 3;
    /// <summary>sysconf(3)'s _SC_CLK_TCK: the unit of /proc/PID/stat's times.</summary>
    public const int ScClkTck = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    public static partial long SysConf(int name);
}
