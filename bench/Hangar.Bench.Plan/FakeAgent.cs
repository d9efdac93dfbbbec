using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Delta;

namespace Hangar.Bench.Plan;

/// <summary>
/// An agent that runs nothing: it speaks the real agent protocol (docs/api.md, "The agent protocol", v3) over a real
/// WebSocket, puts snapshots and deltas together as the real agent does (<see cref="DesiredStateAssembler"/>, with a
/// resync on a gap) and answers each desired state at once with what changed (<see cref="ObservedDeltaTracker"/>):
/// every VM a snapshot or delta touched as Running and Healthy at that revision, so the control plane's health gate
/// passes as soon as it reads the report. Framing is <see cref="AgentChannel"/>, as in Hangar.
/// </summary>
internal sealed class FakeAgent : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly AgentChannel _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstDesired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly DesiredStateAssembler _assembler = new(new DesiredStateMessage(0, 0, [], false));
    private readonly ObservedDeltaTracker _tracker = new();
    private readonly Dictionary<string, ObservedVm> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, long> _generationAnsweredAt = new();
    private readonly Task _heartbeat;
    private readonly bool _measureSizes;

    /// <summary>Frames received and sent, and the largest of each, in bytes as serialized.</summary>
    public int FramesIn { get; private set; }
    public int FramesOut { get; private set; }
    public long LargestIn { get; private set; }
    public long LargestOut { get; private set; }

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

    /// <summary>Stopwatch timestamp at which this agent first answered a desired state of <paramref name="generation"/>; null before.</summary>
    public long? AnsweredGeneration(long generation) => _generationAnsweredAt.TryGetValue(generation, out var at) ? at : null;

    private FakeAgent(string name, ClientWebSocket socket, bool measureSizes)
    {
        Name = name;
        _socket = socket;
        _measureSizes = measureSizes;
        _channel = new AgentChannel(socket);
        _loop = Task.Run(RunAsync);
        _heartbeat = Task.Run(HeartbeatAsync);
    }

    /// <summary>Connects and says hello as a real agent does.</summary>
    /// <param name="vcpus">The host's CPUs as reported in hello (0: none reported, so the scheduler checks no memory).</param>
    /// <param name="memoryBytes">The host's memory as reported in hello.</param>
    /// <param name="measureSizes">Serialize every frame once more to note the largest (the plan bench's section 3).</param>
    public static async Task<FakeAgent> ConnectAsync(Uri agentUrl, string agentToken, string name, CancellationToken ct,
        int vcpus = 0, long memoryBytes = 0, bool measureSizes = true)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + agentToken);
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        await socket.ConnectAsync(agentUrl, ct);
        var channel = new AgentChannel(socket);
        await channel.SendAsync(new HelloMessage(name, Environment.MachineName, "bench-fake-0", "tcg", vcpus, memoryBytes), ct);
        var first = await channel.ReceiveAsync(ct);
        if (first is not WelcomeMessage)
        {
            socket.Dispose();
            throw new InvalidOperationException($"The control plane answered hello with {first?.GetType().Name ?? "a close"}, not welcome.");
        }
        return new FakeAgent(name, socket, measureSizes);
    }

    /// <summary>A heartbeat every interval, as a real agent sends when it had nothing to report: the control plane
    /// closes a connection silent for 30 s, and a large round takes longer than that.</summary>
    private async Task HeartbeatAsync()
    {
        var ct = _stop.Token;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) await SendAsync(new HeartbeatMessage(), ct);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    // AgentChannel sends one frame at a time, so the answers and the heartbeat can share it.
    private Task SendAsync(AgentMessage message, CancellationToken ct) => _channel.SendAsync(message, ct);

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
                    await SendAsync(new ErrorMessage(e.MessageId, e.Code, e.Message), ct);
                    continue;
                }
                if (message is null) break;
                var step = message switch
                {
                    DesiredStateMessage snapshot => _assembler.Receive(snapshot),
                    DesiredDeltaMessage delta => _assembler.Receive(delta),
                    _ => null,
                };
                if (step is null) continue;
                FramesIn++;
                if (_measureSizes) LargestIn = Math.Max(LargestIn, Size(message));
                if (step is DesiredStep.Resync resync)
                {
                    await SendAsync(new ResyncMessage(resync.HaveRevision, resync.Reason), ct);
                    continue;
                }
                if (step is not DesiredStep.Apply apply) continue;
                var start = Stopwatch.GetTimestamp();
                foreach (var frame in _tracker.Next(Answer(apply)))
                {
                    FramesOut++;
                    if (_measureSizes) LargestOut = Math.Max(LargestOut, Size(frame));
                    await SendAsync(frame, ct);
                }
                LastAnsweredAt = Stopwatch.GetTimestamp();
                _generationAnsweredAt.TryAdd(apply.State.Generation, LastAnsweredAt);
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

    private static long Size(AgentMessage message) => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(message, Hangar.Protocol.HangarJson.Options).Length;

    /// <summary>Every desired VM, as if it had been started and had passed its health check at once; a VM the step did
    /// not touch keeps what it reported before (its revision too), as a real agent's does.</summary>
    private ObservedStateMessage Answer(DesiredStep.Apply apply)
    {
        var desired = apply.State;
        var present = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < desired.Vms.Count; i++)
        {
            var vm = desired.Vms[i];
            var name = vm.Spec.Name;
            present.Add(name);
            if (apply.Changed is not null && !apply.Changed.Contains(name) && _running.ContainsKey(name)) continue;
            // The bench's fleets never stop a VM; a VM desired stopped would be reported stopped, as a real agent does.
            _running[name] = vm.Running
                ? new ObservedVm(name, VmPhase.Running, null, HealthState.Healthy, "tcg", 100_000 + i, [],
                    null, 0, _startedAt, desired.Generation, desired.Revision)
                : new ObservedVm(name, VmPhase.Stopped, null, HealthState.Unknown, null, null, [],
                    null, 0, null, desired.Generation, desired.Revision);
        }
        foreach (var name in _running.Keys.Where(n => !present.Contains(n)).ToArray()) _running.Remove(name);
        return new ObservedStateMessage(desired.Generation, desired.Revision, _running.Values.ToArray());
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
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
        try { await _heartbeat; } catch { /* ended */ }
        _socket.Dispose();
        _stop.Dispose();
    }
}
