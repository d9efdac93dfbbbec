namespace Hangar.Qemu;

/// <summary>
/// The QMP connection closed (QEMU exited, crashed or was killed, or the client was disposed) before a command
/// got its reply, or a command was sent on a closed connection. The inner exception, if any, is the I/O error.
/// </summary>
public sealed class QmpConnectionClosedException : QmpException
{
    public QmpConnectionClosedException(string command, Exception? innerException)
        : base($"The QMP connection closed before the command '{command}' got a reply.", innerException)
    {
        Command = command;
    }

    public string Command { get; }
}
