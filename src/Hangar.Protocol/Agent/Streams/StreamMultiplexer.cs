using System.Net.WebSockets;

namespace Hangar.Protocol.Agent.Streams;

/// <summary>
/// The relayed streams (a VM's serial log, console sessions) of one agent connection, multiplexed on its
/// <see cref="AgentChannel"/> next to the desired and observed states. Each side keeps one per connection.
/// The control plane opens streams (<see cref="OpenAsync"/>); the agent serves them (<see cref="Accept"/>).
/// </summary>
/// <remarks>
/// Flow control is by credit, as in SSH channels and HTTP/2: a side sends at most the window its peer gave
/// (<see cref="StreamOpenMessage.Window"/>, <see cref="StreamOpenedMessage.Window"/>) and the peer grants bytes back
/// as its consumer takes them (<see cref="StreamCreditMessage"/>). So each stream buffers at most one window on the
/// receiving side, a slow consumer (a CLI on a slow link) stalls only its own stream — the agent stops reading that
/// file or socket — and the connection's reader (<see cref="Dispatch"/>) never waits for a consumer. A peer that sends
/// beyond its window gets the stream closed with <see cref="StreamCloseReason.Overflow"/>.
/// </remarks>
public sealed class StreamMultiplexer
{
    private readonly AgentChannel _channel;
    private readonly Dictionary<string, RelayStream> _streams = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private StreamCloseMessage? _ended;

    public StreamMultiplexer(AgentChannel channel, int window = AgentProtocol.StreamWindow, int maxStreams = AgentProtocol.MaxStreams)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _channel = channel;
        Window = window;
        MaxStreams = maxStreams;
    }

    /// <summary>The window this side gives each stream: the most it buffers of one stream.</summary>
    public int Window { get; }

    public int MaxStreams { get; }

    /// <summary>Agent side: serves a stream the control plane opened. It must call <see cref="RelayStream.AcceptAsync"/>
    /// or close the stream; it runs on its own task, so it may take as long as the stream lasts.</summary>
    public Func<RelayStream, StreamOpenMessage, Task>? Accept { get; init; }

    /// <summary>How many streams are open.</summary>
    public int Count
    {
        get { lock (_gate) return _streams.Count; }
    }

    /// <summary>
    /// Control plane side: opens a stream on the agent and waits until the agent has opened the VM's log or console.
    /// Throws <see cref="StreamClosedException"/> when the agent refuses (no such VM, not running) or the connection ends.
    /// </summary>
    /// <param name="exec">For <see cref="StreamKind.Exec"/>: what to run in the guest.</param>
    /// <param name="balloon">For <see cref="StreamKind.Balloon"/>: the target to set, or none to read it.</param>
    public async Task<RelayStream> OpenAsync(string vm, StreamKind kind, long offset, bool follow, CancellationToken ct, GuestExecRequest? exec = null,
        BalloonRequest? balloon = null)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        RelayStream stream;
        lock (_gate)
        {
            if (_ended is { } ended) throw new StreamClosedException(ended with { Stream = id });
            if (_streams.Count >= MaxStreams)
                throw new StreamClosedException(new StreamCloseMessage(id, StreamCloseReason.Limit, $"The agent's connection already carries {MaxStreams} streams."));
            _streams[id] = stream = new RelayStream(this, id, kind, sendCredit: 0);
        }
        try
        {
            await SendAsync(new StreamOpenMessage(id, vm, kind, offset, follow, Window) { Exec = exec, Balloon = balloon }, ct);
            await stream.WhenOpenedAsync(ct);
            return stream;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            await stream.CloseAsync(StreamCloseReason.Closed, "The client went away before the stream opened.");
            throw;
        }
    }

    /// <summary>
    /// Takes a <c>stream.*</c> message from the connection's reader; false for any other message. Never waits for a
    /// stream's consumer (what it sends back — a refusal, an overflow — goes out on its own task).
    /// </summary>
    public bool Dispatch(AgentMessage message)
    {
        switch (message)
        {
            case StreamOpenMessage open:
                Opened(open);
                return true;
            case StreamOpenedMessage opened:
                Find(opened.Stream)?.OnOpened(opened.Window);
                return true;
            case StreamDataMessage data:
                // Data may still arrive for a stream this side has just closed; it is dropped.
                Find(data.Stream)?.OnData(data.Data);
                return true;
            case StreamCreditMessage credit:
                Find(credit.Stream)?.OnCredit(credit.Bytes);
                return true;
            case StreamCloseMessage close:
                Find(close.Stream)?.OnClosed(close);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The connection is gone: ends every stream with <paramref name="message"/> (<see cref="StreamCloseReason.Disconnected"/>),
    /// and refuses new ones.</summary>
    public void EndAll(string message)
    {
        RelayStream[] streams;
        lock (_gate)
        {
            _ended ??= new StreamCloseMessage("", StreamCloseReason.Disconnected, message);
            streams = [.. _streams.Values];
        }
        foreach (var stream in streams) stream.OnClosed(new StreamCloseMessage(stream.Id, StreamCloseReason.Disconnected, message));
    }

    private void Opened(StreamOpenMessage open)
    {
        RelayStream? stream = null;
        StreamCloseMessage? refusal = null;
        lock (_gate)
        {
            if (Accept is null)
                refusal = new StreamCloseMessage(open.Stream, StreamCloseReason.Failed, "This side does not serve streams.");
            else if (_streams.ContainsKey(open.Stream))
                refusal = null; // a repeated open of a live stream: the first one stands
            else if (_streams.Count >= MaxStreams)
                refusal = new StreamCloseMessage(open.Stream, StreamCloseReason.Limit, $"The agent serves at most {MaxStreams} streams at once.");
            else if (open.Window < 1)
                refusal = new StreamCloseMessage(open.Stream, StreamCloseReason.Failed, "A stream's window must be at least 1 byte.");
            else
                _streams[open.Stream] = stream = new RelayStream(this, open.Stream, open.Kind, open.Window);
        }
        if (refusal is not null) _ = SendQuietlyAsync(refusal);
        if (stream is null) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await Accept!(stream, open);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await stream.CloseAsync(StreamCloseReason.Failed, $"Serving the stream failed: {e.Message}");
                return;
            }
            catch (OperationCanceledException)
            {
            }
            // A server that returns without closing ends its stream; the peer must not wait forever.
            await stream.CloseAsync(StreamCloseReason.Closed, "The stream ended.");
        });
    }

    private RelayStream? Find(string id)
    {
        lock (_gate) return _streams.GetValueOrDefault(id);
    }

    internal void Remove(RelayStream stream)
    {
        lock (_gate)
            if (_streams.TryGetValue(stream.Id, out var known) && ReferenceEquals(known, stream)) _streams.Remove(stream.Id);
    }

    internal Task SendAsync(AgentMessage message, CancellationToken ct) => _channel.SendAsync(message, ct);

    /// <summary>Sends a message no one waits for (a close, a credit); a connection that is gone ends every stream anyway.</summary>
    internal async Task SendQuietlyAsync(AgentMessage message)
    {
        try
        {
            await _channel.SendAsync(message, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException)
        {
        }
    }
}
