namespace Hangar.Qemu;

/// <summary>qemu-img failed or answered something unreadable. The message includes its stderr.</summary>
public sealed class QemuImgException : QemuException
{
    public QemuImgException(string message, int? exitCode, string standardError, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
        StandardError = standardError;
    }

    /// <summary>qemu-img's exit code; null when it did not run or its output was the problem.</summary>
    public int? ExitCode { get; }

    public string StandardError { get; }
}
