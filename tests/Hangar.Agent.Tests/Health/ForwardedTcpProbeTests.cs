using System.Net;
using System.Net.Sockets;
using Hangar.Agent.Health;
using Hangar.Qemu.Networking;

namespace Hangar.Agent.Tests.Health;

/// <summary>
/// The probe against a stand-in for QEMU in this very process: a real listener accepts the probe's connection (as
/// slirp's forward does), and the "info usernet" table is the test's, naming the real descriptor of the accepted
/// socket. So the lookup through /proc/PID/net/tcp and /proc/PID/fd is the real one.
/// </summary>
public sealed class ForwardedTcpProbeTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = [];

    public ForwardedTcpProbeTests()
    {
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    private int HostPort => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync();
                lock (_accepted) _accepted.Add(socket);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>A usernet table with one row per accepted socket, each in the state <paramref name="state"/> gives it.</summary>
    private Func<CancellationToken, Task<IReadOnlyList<UserNetConnection>>> Table(Func<Socket, string?> state) => _ =>
    {
        lock (_accepted)
        {
            IReadOnlyList<UserNetConnection> rows = _accepted
                .Select(s => (Socket: s, State: state(s)))
                .Where(r => r.State is not null)
                .Select(r => new UserNetConnection("TCP", r.State!, (int)r.Socket.SafeHandle.DangerousGetHandle(), "127.0.0.1", HostPort, "10.0.2.15", 80))
                .Append(new UserNetConnection("TCP", "HOST_FORWARD", 3, "127.0.0.1", HostPort, "10.0.2.15", 80))
                .ToList();
            return Task.FromResult(rows);
        }
    };

    private ForwardedTcpProbe Probe(Func<Socket, string?> state) =>
        new(HostPort, 80, Environment.ProcessId, Table(state), TimeProvider.System);

    [Fact]
    public async Task Check_GuestAnsweredTheSyn_Passes()
    {
        var result = await Probe(_ => "ESTABLISHED").CheckAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(ProbeResult.Pass("the guest accepted a connection on port 80"), result);
    }

    [Fact]
    public async Task Check_StillSynSent_FailsAtItsTimeoutSayingSo()
    {
        var result = await Probe(_ => "SYN_SENT").CheckAsync(TimeSpan.FromMilliseconds(600), CancellationToken.None);
        Assert.False(result.Passed);
        Assert.Equal("the guest did not answer a connection to port 80 within 0.6s (slirp state SYN_SENT)", result.Detail);
    }

    [Fact]
    public async Task Check_OnlyAnotherConnectionEstablished_DoesNotPass()
    {
        // An earlier client's connection is established; the probe's own is not: the probe must not take the other's.
        Socket? first = null;
        using (var other = new TcpClient())
        {
            await other.ConnectAsync(IPAddress.Loopback, HostPort);
            await Eventually(() => { lock (_accepted) return _accepted.Count == 1; });
            lock (_accepted) first = _accepted[0];
            var result = await Probe(s => s == first ? "ESTABLISHED" : "SYN_SENT").CheckAsync(TimeSpan.FromMilliseconds(600), CancellationToken.None);
            Assert.False(result.Passed);
        }
    }

    [Fact]
    public async Task Check_QemuDropsTheConnection_FailsAsRefused()
    {
        // What slirp does when the guest answers with a RST: the row goes and the host side is closed.
        var probe = Probe(_ => null);
        var closer = Task.Run(async () =>
        {
            await Eventually(() => { lock (_accepted) return _accepted.Count == 1; });
            lock (_accepted) _accepted[0].Close();
        });
        var result = await probe.CheckAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await closer;
        Assert.Equal(ProbeResult.Fail("the guest refused a connection to port 80 (nothing listens there)"), result);
    }

    [Fact]
    public async Task Check_NothingListensOnTheHostPort_FailsNamingIt()
    {
        var port = HostPort;
        _listener.Stop();
        var probe = new ForwardedTcpProbe(port, 80, Environment.ProcessId, Table(_ => "ESTABLISHED"), TimeProvider.System);
        var result = await probe.CheckAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.False(result.Passed);
        Assert.StartsWith($"QEMU does not accept connections on 127.0.0.1:{port}", result.Detail);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        // The accept loop signals nothing; ask often.
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 10 s");
            await Task.Delay(10);
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        lock (_accepted) foreach (var s in _accepted) s.Dispose();
    }
}
