using System.Net.WebSockets;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Delta;
using Hangar.Protocol.Agent.Streams;
using Microsoft.Extensions.Logging;

namespace Hangar.Agent.Connection;

/// <summary>
/// The agent's side of <c>/agent/ws</c>: connects, says hello, applies the snapshot of its desired state and then
/// every delta (<see cref="DesiredStateAssembler"/>; a delta that does not follow from what it has is answered by
/// <see cref="ResyncMessage"/>), and reports its observed state whole on connect and then only what changed
/// (<see cref="ObservedDeltaTracker"/>; coalesced), with a heartbeat in every interval that had nothing to report. Reconnects after
/// <see cref="AgentOptions.ReconnectBackoff"/>; while disconnected the reconciler keeps running the last desired state.
/// Serves the serial logs and consoles of its VMs on the same connection (<paramref name="streams"/>).
/// With several control-plane replicas (<paramref name="urls"/>), a failed or closed session is retried on the next
/// address in turn, so an agent whose replica died connects to another one after the first backoff delay.
/// </summary>
/// <param name="urls">The control plane's agent endpoint, one per replica; tried in turn, starting with the first.</param>
/// <param name="onConnected">Called with the address of each session that completes its handshake (image downloads follow it).</param>
public sealed partial class AgentConnection(IReadOnlyList<Uri> urls, string credential, AgentOptions options, Reconciler reconciler, AcceleratorResolver accelerators,
    VmStreamServer streams, ILogger<AgentConnection> logger, Action<Uri>? onConnected = null, string? recipient = null)
{
    private int _next;

    /// <summary>The address of the current or last session.</summary>
    public Uri Url => urls[_next % urls.Count];

    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly Random _random = new();
    private DesiredStateAssembler? _desired;

    /// <summary>True while a session with the control plane is open.</summary>
    public bool Connected { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        reconciler.Changed += OnChanged;
        try
        {
            var backoff = options.ReconnectBackoff;
            var attempt = 0;
            while (!ct.IsCancellationRequested)
            {
                DateTimeOffset? connectedAt = null;
                var url = Url;
                try
                {
                    await RunSessionAsync(() => connectedAt = options.Time.GetUtcNow(), ct);
                }
                catch (Exception e) when (e is WebSocketException or IOException or AgentProtocolException or HttpRequestException)
                {
                    Log.Unreachable(logger, url, e.Message);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (AgentRefusedException e)
                {
                    // Not retried: the same credential will be refused again. The host stops with this reason.
                    Connected = false;
                    Log.Refused(logger, url, e.Message);
                    throw;
                }
                Connected = false;
                _next = (_next + 1) % urls.Count; // the next replica, if there are several
                if (connectedAt is { } since && backoff.ShouldReset(options.Time.GetUtcNow() - since)) attempt = 0;
                attempt++;
                await Task.Delay(backoff.DelayFor(attempt, _random), options.Time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        finally
        {
            reconciler.Changed -= OnChanged;
        }
    }

    private void OnChanged()
    {
        try { _changed.Release(); }
        catch (SemaphoreFullException) { }
    }

    private async Task RunSessionAsync(Action connected, CancellationToken ct)
    {
        var url = Url;
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + credential);
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        socket.Options.CollectHttpResponseDetails = true;
        // Checked inside the TLS handshake: a server that is not the pinned one never sees the credential header.
        if (options.ServerPin is { } pin) socket.Options.RemoteCertificateValidationCallback = pin.Validate;
        try
        {
            await socket.ConnectAsync(url, ct);
        }
        catch (WebSocketException e) when (options.ServerPin is { Seen: not null } refused)
        {
            throw new AgentRefusedException(refused.MismatchMessage(url), e);
        }
        catch (WebSocketException e) when (socket.HttpStatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            var why = socket.HttpResponseHeaders?.GetValueOrDefault(AgentProtocol.RefusedHeader)?.FirstOrDefault() ?? "its credential is unknown or revoked.";
            throw new AgentRefusedException($"The control plane refused this agent: {why}", e);
        }
        var channel = new AgentChannel(socket);
        // Say hello at once: with "auto" the KVM probe (a test boot) runs when the first VM starts, where its progress
        // is shown, rather than keeping the whole agent away from its control plane.
        await channel.SendAsync(new HelloMessage(options.Name, Environment.MachineName, AgentVersion.Current, accelerators.Current,
            HostCapacity.Vcpus, HostCapacity.MemoryBytes) { Recipient = recipient }, ct);
        var welcome = await channel.ReceiveAsync(ct);
        if (welcome is not WelcomeMessage hello)
            throw new AgentProtocolException(welcome?.Id, "bad_handshake", $"Expected 'welcome', got '{welcome?.GetType().Name ?? "close"}'.");
        Connected = true;
        connected();
        onConnected?.Invoke(url);
        Log.Connected(logger, url);

        // Kept across connections so that its revision is the base the next delta must start from; frames of a snapshot
        // or delta cut short by a lost connection are dropped (the control plane sends a snapshot on every connect).
        _desired ??= new DesiredStateAssembler(reconciler.Desired);
        _desired.Reset();
        var relay = new StreamMultiplexer(channel) { Accept = streams.ServeAsync };
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sender = SendLoopAsync(channel, hello.HeartbeatInterval, session.Token);
        try
        {
            while (true)
            {
                AgentMessage? message;
                try
                {
                    message = await channel.ReceiveAsync(ct);
                }
                catch (AgentProtocolException e)
                {
                    await channel.SendAsync(new ErrorMessage(e.MessageId, e.Code, e.Message), ct);
                    continue;
                }
                if (message is not null && relay.Dispatch(message)) continue;
                switch (message)
                {
                    case null:
                        return;
                    case DesiredStateMessage desired:
                        await StepAsync(channel, _desired.Receive(desired), ct);
                        break;
                    case DesiredDeltaMessage delta:
                        await StepAsync(channel, _desired.Receive(delta), ct);
                        break;
                    case HeartbeatMessage:
                        break;
                    case ErrorMessage error:
                        Log.ControlPlaneError(logger, error.Code, error.Message);
                        break;
                    default:
                        await channel.SendAsync(new ErrorMessage(message.Id, "unexpected_type", $"An agent does not accept '{message.GetType().Name}'."), ct);
                        break;
                }
            }
        }
        finally
        {
            relay.EndAll("The agent's connection to its control plane ended.");
            await session.CancelAsync();
            try { await sender; }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException) { }
        }
    }

    private async Task StepAsync(AgentChannel channel, DesiredStep step, CancellationToken ct)
    {
        switch (step)
        {
            case DesiredStep.Apply apply:
                reconciler.Apply(apply.State, apply.Changed);
                break;
            case DesiredStep.Resync resync:
                Log.Resyncing(logger, resync.HaveRevision, resync.Reason);
                await channel.SendAsync(new ResyncMessage(resync.HaveRevision, resync.Reason), ct);
                break;
        }
    }

    private async Task SendLoopAsync(AgentChannel channel, TimeSpan heartbeat, CancellationToken ct)
    {
        var tracker = new ObservedDeltaTracker(); // whole on this connection's first report, then deltas
        var lastSent = options.Time.GetTimestamp();
        var lastScan = lastSent;
        while (!ct.IsCancellationRequested)
        {
            if (options.Time.GetElapsedTime(lastScan) >= heartbeat)
            {
                // Once per heartbeat interval, busy or not: an orphan appears without any change of desired state.
                // What it finds wakes this loop again (Changed), so it is reported at once.
                reconciler.ScanForOrphans();
                lastScan = options.Time.GetTimestamp();
            }
            var frames = tracker.Next(reconciler.Snapshot());
            foreach (var frame in frames) await channel.SendAsync(frame, ct);
            if (frames.Count > 0) lastSent = options.Time.GetTimestamp();
            else if (options.Time.GetElapsedTime(lastSent) >= heartbeat)
            {
                await channel.SendAsync(new HeartbeatMessage(), ct);
                lastSent = options.Time.GetTimestamp();
            }
            // Wait for a change, or until a heartbeat is due so the control plane sees we are alive. Changes that
            // arrive while a report is being sent collapse into one wake-up (the semaphore holds at most one
            // release), so bursts are coalesced without delaying the first report.
            var untilHeartbeat = heartbeat - options.Time.GetElapsedTime(lastSent);
            await _changed.WaitAsync(untilHeartbeat > TimeSpan.Zero ? untilHeartbeat : TimeSpan.Zero, ct);
        }
    }
}
