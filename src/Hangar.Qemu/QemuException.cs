namespace Hangar.Qemu;

/// <summary>
/// Base of every failure that comes from outside the program in this library: QEMU, qemu-img or the QMP
/// connection. Mistakes in arguments are reported with the standard <see cref="ArgumentException"/> instead.
/// </summary>
public class QemuException : Exception
{
    public QemuException(string message) : base(message) { }

    public QemuException(string message, Exception? innerException) : base(message, innerException) { }
}
