using System.Runtime.InteropServices;

namespace Hangar.Qemu.Internal;

internal static partial class LibC
{
    public const int SIGTERM = 15;
    public const int SIGKILL = 9;
    public const int ESRCH = 3;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
