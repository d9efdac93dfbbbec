using System.Net.WebSockets;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Streams;
using Microsoft.Extensions.Logging;

namespace Hangar.Agent.Connection;

/// <summary>
/// The agent's side of <c>/agent/ws</c>: connects, says hello, applies every desired state it receives, and reports
/// observed state whenever it changes (coalesced) and at least every heartbeat interval. Reconnects after
/// <see cref="AgentOptions.ReconnectBackoff"/>; while disconnected the reconciler keeps running the last desired state.
/// Serves the serial logs and consoles of its VMs on the same connection (<paramref name="streams"/>).
/// </summary>
public sealed partial class AgentConnection(Uri url, string credential, AgentOptions options, Reconciler reconciler, AcceleratorResolver accelerators,
    VmStreamServer streams, ILogger<AgentConnection> logger)
{
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly Random _random = new();

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
            HostCapacity.Vcpus, HostCapacity.MemoryBytes), ct);
        var welcome = await channel.ReceiveAsync(ct);
        if (welcome is not WelcomeMessage hello)
            throw new AgentProtocolException(welcome?.Id, "bad_handshake", $"Expected 'welcome', got '{welcome?.GetType().Name ?? "close"}'.");
        Connected = true;
        connected();
        Log.Connected(logger, url);

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
                        reconciler.Apply(desired);
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

    private async Task SendLoopAsync(AgentChannel channel, TimeSpan heartbeat, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await channel.SendAsync(reconciler.Snapshot(), ct);
            // Wait for a change, or send anyway after a heartbeat interval so the control plane sees we are alive.
            // Changes that arrive while a report is being sent collapse into one wake-up (the semaphore holds at
            // most one release), so bursts are coalesced without delaying the first report.
            await _changed.WaitAsync(heartbeat, ct);
        }
    }
}
