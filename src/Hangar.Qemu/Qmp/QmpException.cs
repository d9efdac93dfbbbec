namespace Hangar.Qemu;

/// <summary>Base of every QMP failure: a refused command, a timeout, a lost or unusable connection.</summary>
public class QmpException : QemuException
{
    public QmpException(string message) : base(message) { }

    public QmpException(string message, Exception? innerException) : base(message, innerException) { }
}
