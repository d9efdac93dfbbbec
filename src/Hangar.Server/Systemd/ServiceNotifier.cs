using System.Net.Sockets;
using System.Text;

namespace Hangar.Server.Systemd;

/// <summary>
/// Tells systemd (a <c>Type=notify</c> unit, packaging/systemd/) that the daemon is ready or stopping: one datagram
/// to the socket in <c>$NOTIFY_SOCKET</c>, as sd_notify(3) does. Outside systemd (no such variable) it does nothing.
/// A failure to notify is not fatal: systemd then times the start out and says so itself.
/// </summary>
public static class ServiceNotifier
{
    /// <summary>The daemon serves (the server listens, or the agent has started its reconciler and connection).</summary>
    public static void Ready(string status) => Notify($"READY=1\nSTATUS={status}\nMAINPID={Environment.ProcessId}");

    /// <summary>The daemon has begun to stop.</summary>
    public static void Stopping() => Notify("STOPPING=1");

    private static void Notify(string state)
    {
        if (Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is not { Length: > 0 } path) return;
        // An abstract socket is written with a leading '@' and addressed with a leading NUL (sd_notify(3)).
        if (path[0] == '@') path = "\0" + path[1..];
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"warning: could not notify systemd at {Environment.GetEnvironmentVariable("NOTIFY_SOCKET")}: {e.Message}");
        }
    }
}
