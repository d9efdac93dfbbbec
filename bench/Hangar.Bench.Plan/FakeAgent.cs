using System.Diagnostics;
using System.Net.WebSockets;
using Hangar.Protocol.Agent;

namespace Hangar.Bench.Plan;

/// <summary>
/// An agent that runs nothing: it speaks the real agent protocol (docs/api.md, "The agent protocol") over a real
/// WebSocket and answers every <see cref="DesiredStateMessage"/> at once with an <see cref="ObservedStateMessage"/>
/// that lists every desired VM as Running and Healthy at that message's generation and revision, so the control
/// plane's health gate passes as soon as it reads the report. Framing is <see cref="AgentChannel"/>, as in Hangar.
/// </summary>
internal sealed class FakeAgent : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly AgentChannel _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstDesired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;

    public string Name { get; }

    /// <summary>Completes when the first desired state (sent right after welcome) has arrived and been answered.</summary>
    public Task FirstDesired => _firstDesired.Task;

    /// <summary>Desired states answered so far.</summary>
    public int DesiredCount { get; private set; }

    /// <summary>Time spent between reading a desired state and having sent the answer (building + serializing + sending), last message.</summary>
    public double LastAnswerMs { get; private set; }

    /// <summary>Stopwatch timestamp at which the answer to the last desired state had been sent.</summary>
    public long LastAnsweredAt { get; private set; }

    /// <summary>Set when the receive loop ended with an error (e.g. the server closed with 1009 "message too big").</summary>
    public Exception? Failure { get; private set; }
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;
    public string? CloseDescription => _socket.CloseStatusDescription;

    private FakeAgent(string name, ClientWebSocket socket)
    {
        Name = name;
        _socket = socket;
        _channel = new AgentChannel(socket);
        _loop = Task.Run(RunAsync);
    }

    public static async Task<FakeAgent> ConnectAsync(Uri agentUrl, string agentToken, string name, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + agentToken);
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        await socket.ConnectAsync(agentUrl, ct);
        var channel = new AgentChannel(socket);
        await channel.SendAsync(new HelloMessage(name, Environment.MachineName, "bench-fake-0", "tcg"), ct);
        var first = await channel.ReceiveAsync(ct);
        if (first is not WelcomeMessage)
        {
            socket.Dispose();
            throw new InvalidOperationException($"The control plane answered hello with {first?.GetType().Name ?? "a close"}, not welcome.");
        }
        return new FakeAgent(name, socket);
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                AgentMessage? message;
                try
                {
                    message = await _channel.ReceiveAsync(ct);
                }
                catch (AgentProtocolException e)
                {
                    await _channel.SendAsync(new ErrorMessage(e.MessageId, e.Code, e.Message), ct);
                    continue;
                }
                if (message is null) break;
                if (message is not DesiredStateMessage desired) continue;
                var start = Stopwatch.GetTimestamp();
                await _channel.SendAsync(Answer(desired), ct);
                LastAnsweredAt = Stopwatch.GetTimestamp();
                LastAnswerMs = Stopwatch.GetElapsedTime(start, LastAnsweredAt).TotalMilliseconds;
                DesiredCount++;
                _firstDesired.TrySetResult();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Failure = e;
        }
        finally
        {
            _firstDesired.TrySetException(Failure ?? new InvalidOperationException(
                $"The agent connection ended before any desired state (close status {_socket.CloseStatus}: {_socket.CloseStatusDescription})."));
        }
    }

    /// <summary>Every desired VM, as if it had been started and had passed its health check at once.</summary>
    private ObservedStateMessage Answer(DesiredStateMessage desired)
    {
        var vms = new ObservedVm[desired.Vms.Count];
        for (var i = 0; i < vms.Length; i++)
        {
            var vm = desired.Vms[i];
            // The bench's fleets never stop a VM; a VM desired stopped would be reported stopped, as a real agent does.
            vms[i] = vm.Running
                ? new ObservedVm(vm.Spec.Name, VmPhase.Running, null, HealthState.Healthy, "tcg", 100_000 + i, [],
                    null, 0, _startedAt, desired.Generation, desired.Revision)
                : new ObservedVm(vm.Spec.Name, VmPhase.Stopped, null, HealthState.Unknown, null, null, [],
                    null, 0, null, desired.Generation, desired.Revision);
        }
        return new ObservedStateMessage(desired.Generation, desired.Revision, vms);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bench done", timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        await _stop.CancelAsync();
        try { await _loop; } catch { /* ended */ }
        _socket.Dispose();
        _stop.Dispose();
    }
}
