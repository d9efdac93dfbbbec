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
    public static void Ready(string status) => Send(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"), ReadyState(status));

    /// <summary>The daemon has begun to stop.</summary>
    public static void Stopping() => Send(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"), "STOPPING=1");

    /// <summary>What <see cref="Ready"/> sends: readiness, a status line for <c>systemctl status</c>, and the pid.</summary>
    internal static string ReadyState(string status) => $"READY=1\nSTATUS={status}\nMAINPID={Environment.ProcessId}";

    /// <summary>Sends <paramref name="state"/> to the notify socket <paramref name="socketPath"/>; nothing when it is null or empty.</summary>
    internal static void Send(string? socketPath, string state)
    {
        if (string.IsNullOrEmpty(socketPath)) return;
        // An abstract socket is written with a leading '@' and addressed with a leading NUL (sd_notify(3)).
        var address = socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(address));
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"warning: could not notify systemd at {socketPath}: {e.Message}");
        }
    }
}
