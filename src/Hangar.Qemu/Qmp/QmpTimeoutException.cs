namespace Hangar.Qemu;

/// <summary>
/// A command got no reply within its timeout. The connection stays usable: a late reply is recognised by its id
/// and dropped. The inner exception is the <see cref="TimeoutException"/> that ended the wait.
/// </summary>
/// <remarks>It derives from <see cref="QmpException"/> rather than <see cref="TimeoutException"/> so that one
/// <c>catch (QmpException)</c> covers every QMP failure; C# allows only one base class.</remarks>
public sealed class QmpTimeoutException : QmpException
{
    public QmpTimeoutException(string command, TimeSpan timeout, Exception? innerException)
        : base($"The QMP command '{command}' got no reply within {timeout.TotalSeconds:0.###} s.", innerException)
    {
        Command = command;
        Timeout = timeout;
    }

    public string Command { get; }

    public TimeSpan Timeout { get; }
}
