using System.Net;
using System.Net.Sockets;
using Hangar.Qemu.Networking;

namespace Hangar.Agent.Health;

/// <summary>
/// A <c>tcp</c> check through a user-mode port forward that passes only when the guest's own TCP stack accepted the
/// connection.
/// </summary>
/// <remarks>
/// QEMU's user-mode network (slirp) accepts a forwarded connection on the host at once, whether or not anything in
/// the guest listens, and only then sends a SYN to the guest; a host-side connect, or an open and silent connection,
/// proves nothing. So the probe connects, finds the socket QEMU accepted for this very connection (the kernel's
/// socket table gives its inode, QEMU's descriptor table the fd), and reads slirp's state of that socket from
/// <c>info usernet</c>: it leaves <c>SYN_SENT</c> for <c>ESTABLISHED</c> only when the guest answered with a SYN-ACK,
/// which a guest sends only for a port with a listening socket; a RST (nothing listens) makes slirp drop the socket.
/// <code>
///  connect ─► QEMU accepts (fd N) ─► slirp: SYN_SENT ──guest SYN-ACK──► ESTABLISHED   pass
///                                                   ├─guest RST──────► gone (EOF)    fail: refused
///                                                   └─no answer──────► SYN_SENT      fail: not answering
/// </code>
/// </remarks>
public sealed class ForwardedTcpProbe(
    int hostPort,
    int guestPort,
    int qemuPid,
    Func<CancellationToken, Task<IReadOnlyList<UserNetConnection>>> queryUserNet,
    TimeProvider time) : IHealthProbe
{
    // slirp sends its SYN as soon as it accepted, so a listening guest answers within a round trip through the
    // emulated NIC; the probe looks a few times a second instead of waiting for an event that QEMU does not send.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public async Task<ProbeResult> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, hostPort), attempt.Token);
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail($"QEMU does not accept connections on 127.0.0.1:{hostPort} ({e.SocketErrorCode})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail($"QEMU did not accept a connection on 127.0.0.1:{hostPort} within {timeout.TotalSeconds:0.#}s");
        }
        var localPort = ((IPEndPoint)client.LocalEndPoint!).Port;
        // The peer closing the connection means slirp dropped it: the guest answered with a RST.
        var closed = WaitForCloseAsync(client, attempt.Token);
        (int Fd, ulong Inode)? socket = null;
        var lastState = "not yet accepted by QEMU";
        try
        {
            while (true)
            {
                var closedBefore = closed.IsCompleted;
                socket ??= ProcessSockets.FindTcpSocket(qemuPid, hostPort, localPort);
                if (socket is { } s)
                {
                    var row = (await queryUserNet(attempt.Token)).FirstOrDefault(c => c.Fd == s.Fd && c.Protocol == "TCP");
                    // Trust the row only if the descriptor still is our socket now that the table was read.
                    if (row is { GuestAccepted: true } && ProcessSockets.StillHolds(qemuPid, s.Fd, s.Inode))
                        return ProbeResult.Pass($"the guest accepted a connection on port {guestPort}");
                    if (row is not null) lastState = $"slirp state {row.State}";
                }
                if (closedBefore)
                {
                    // A service that sends a banner and closes was reached; otherwise slirp dropped the connection
                    // because the guest answered with a RST.
                    return await closed
                        ? ProbeResult.Pass($"the guest sent data on port {guestPort}")
                        : ProbeResult.Fail($"the guest refused a connection to port {guestPort} (nothing listens there)");
                }
                await Task.Delay(PollInterval, time, attempt.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail($"the guest did not answer a connection to port {guestPort} within {timeout.TotalSeconds:0.#}s ({lastState})");
        }
        catch (Hangar.Qemu.QemuException e)
        {
            return ProbeResult.Fail($"QEMU's user-mode network could not be read: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            return ProbeResult.Fail($"the agent may not read QEMU's descriptors (/proc/{qemuPid}/fd); run it as QEMU's user or root: {e.Message}");
        }
    }

    /// <summary>Completes when the peer ends the connection; true if it sent data first.</summary>
    private static async Task<bool> WaitForCloseAsync(Socket client, CancellationToken ct)
    {
        var buffer = new byte[256];
        var received = false;
        try
        {
            int read;
            while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0) received = true;
        }
        catch (SocketException)
        {
            // reset: ended all the same
        }
        return received;
    }

    public void Dispose()
    {
    }
}
