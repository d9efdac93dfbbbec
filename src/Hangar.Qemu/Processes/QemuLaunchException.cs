namespace Hangar.Qemu;

/// <summary>QEMU could not be started, or refused its command line. The message includes QEMU's stderr.</summary>
public sealed class QemuLaunchException : QemuException
{
    public QemuLaunchException(string vmName, string message, int? exitCode, string standardError, Exception? innerException = null)
        : base(message, innerException)
    {
        VmName = vmName;
        ExitCode = exitCode;
        StandardError = standardError;
    }

    public string VmName { get; }

    /// <summary>The exit code of the QEMU command, or null if it did not get to exit (e.g. it could not start).</summary>
    public int? ExitCode { get; }

    /// <summary>What QEMU printed on stderr, trimmed; empty if nothing.</summary>
    public string StandardError { get; }
}
