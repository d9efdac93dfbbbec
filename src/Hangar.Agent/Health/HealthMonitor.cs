using System.Net.Sockets;
using Hangar.Protocol.Agent;
using Hangar.Spec;

namespace Hangar.Agent.Health;

/// <summary>
/// Runs one VM's health check from the moment it starts: <see cref="HealthState.Starting"/> until the check passes
/// (<see cref="HealthState.Healthy"/>) or its timeout passes (<see cref="HealthState.Unhealthy"/>). A serial marker,
/// once seen, stays healthy until the VM stops; a TCP check keeps checking.
/// </summary>
public sealed class HealthMonitor : IAsyncDisposable
{
    private static readonly TimeSpan TcpInterval = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _task;
    private readonly Action<HealthState> _report;

    public HealthMonitor(HealthCheckSpec? check, IReadOnlyList<PortForward> forwards, string serialLog, long serialOffset, DateTimeOffset startedAt, Action<HealthState> report)
    {
        _report = report;
        _task = Task.Run(() => RunAsync(check, forwards, serialLog, serialOffset, startedAt, _cts.Token));
    }

    private async Task RunAsync(HealthCheckSpec? check, IReadOnlyList<PortForward> forwards, string serialLog, long serialOffset, DateTimeOffset startedAt, CancellationToken ct)
    {
        try
        {
            if (check is null)
            {
                _report(HealthState.Healthy);
                return;
            }
            _report(HealthState.Starting);
            var remaining = check.Timeout - (DateTimeOffset.UtcNow - startedAt);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            bool passed;
            try
            {
                passed = check.SerialMarker is { } marker
                    ? await SerialLogWatcher.WaitForAsync(serialLog, serialOffset, marker, deadline.Token)
                    : await WaitForTcpAsync(HostPortFor(check, forwards), deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                passed = false;
            }
            _report(passed ? HealthState.Healthy : HealthState.Unhealthy);
            if (check.TcpGuestPort is not null)
            {
                // A TCP service can go away after it came up: keep probing and report changes.
                var port = HostPortFor(check, forwards);
                while (!ct.IsCancellationRequested)
                {
                    await Task.Delay(TcpInterval, ct);
                    _report(await TryConnectAsync(port, ct) ? HealthState.Healthy : HealthState.Unhealthy);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static int HostPortFor(HealthCheckSpec check, IReadOnlyList<PortForward> forwards) =>
        forwards.First(f => f.Protocol == PortProtocol.Tcp && f.GuestPort == check.TcpGuestPort).HostPort;

    private static async Task<bool> WaitForTcpAsync(int port, CancellationToken ct)
    {
        // Polling is the nature of a TCP check: nothing tells us when a guest service starts listening.
        while (true)
        {
            if (await TryConnectAsync(port, ct)) return true;
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }

    private static async Task<bool> TryConnectAsync(int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await client.ConnectAsync("127.0.0.1", port, attempt.Token);
            // QEMU's user-mode forward accepts on the host side even when nothing listens in the guest; it closes
            // the connection right after. A read that is not an immediate end of stream means a real listener.
            var stream = client.GetStream();
            var buffer = new byte[1];
            using var probe = CancellationTokenSource.CreateLinkedTokenSource(ct);
            probe.CancelAfter(TimeSpan.FromMilliseconds(300));
            try
            {
                var read = await stream.ReadAsync(buffer, probe.Token);
                return read > 0;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return true; // still open and silent: a listener waiting for us to speak (HTTP, SSH sends first though)
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try { await _task; }
        catch (OperationCanceledException) { }
        _cts.Dispose();
    }
}
