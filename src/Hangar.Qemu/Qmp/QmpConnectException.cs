namespace Hangar.Qemu;

/// <summary>
/// No QMP session could be set up: the socket did not accept a connection within the connect timeout, or the
/// server did not greet and negotiate capabilities as QMP requires. The inner exception is the last cause.
/// </summary>
public sealed class QmpConnectException : QmpException
{
    public QmpConnectException(string socketPath, string message, Exception? innerException)
        : base(message, innerException)
    {
        SocketPath = socketPath;
    }

    public string SocketPath { get; }
}
