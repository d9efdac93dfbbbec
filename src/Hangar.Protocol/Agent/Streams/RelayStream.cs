using System.Threading.Channels;

namespace Hangar.Protocol.Agent.Streams;

/// <summary>
/// One relayed stream on an agent connection (see <see cref="StreamMultiplexer"/>): a VM's serial log or a console
/// session. Reads return the peer's data in order; writes wait for the peer's credit. Either side may close it; the
/// other side's reads then end (after the data sent before the close) and its writes throw
/// <see cref="StreamClosedException"/>.
/// <code>
///  control plane                     agent
///  opening ── stream.open ──────────►  (checks the VM is its own)
///  open    ◄─ stream.opened ─────────  open          ◄─ or stream.close: refused
///  open    ◄─ stream.data / credit ─►  open
///  closed  ◄─ stream.close ─────────►  closed        (either side; or the connection ends)
/// </code>
/// </summary>
public sealed class RelayStream
{
    private readonly StreamMultiplexer _mux;
    private readonly Channel<byte[]> _received = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closedToken = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _creditChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _sendCredit;
    private int _queuedBytes;
    private int _ungranted;
    private StreamCloseMessage? _closure;

    internal RelayStream(StreamMultiplexer mux, string id, StreamKind kind, int sendCredit)
    {
        _mux = mux;
        Id = id;
        Kind = kind;
        _sendCredit = sendCredit;
    }

    public string Id { get; }
    public StreamKind Kind { get; }

    /// <summary>Why the stream ended, once it has; null while it is open.</summary>
    public StreamCloseMessage? Closure
    {
        get { lock (_gate) return _closure; }
    }

    /// <summary>Cancelled when the stream ends, from either side.</summary>
    public CancellationToken Closed => _closedToken.Token;

    /// <summary>Bytes received and not yet read: never more than the window this side gave.</summary>
    public int QueuedBytes
    {
        get { lock (_gate) return _queuedBytes; }
    }

    /// <summary>Agent side: tells the control plane the stream is open (the file or socket is), giving it this side's window.</summary>
    public Task AcceptAsync(CancellationToken ct) => _mux.SendAsync(new StreamOpenedMessage(Id, _mux.Window), ct);

    /// <summary>The next bytes from the peer, or null once the stream has ended (see <see cref="Closure"/>).</summary>
    public async ValueTask<byte[]?> ReadAsync(CancellationToken ct)
    {
        if (!await _received.Reader.WaitToReadAsync(ct)) return null;
        if (!_received.Reader.TryRead(out var chunk)) return null;
        var grant = 0;
        lock (_gate)
        {
            _queuedBytes -= chunk.Length;
            _ungranted += chunk.Length;
            // Credit goes back in batches of a quarter window (as HTTP/2 implementations send WINDOW_UPDATE): an
            // interactive session then sends no credit frame per keystroke (a data frame and a credit frame written
            // back to back also met Nagle and delayed ACKs on a socket without NODELAY: 88 ms per echo, not 0.1 ms).
            // The sender never stalls on it: while less than a quarter window is ungranted, the rest is still its
            // to send, or queued here to be read.
            if (_closure is null && _ungranted >= _mux.Window / 4)
            {
                grant = _ungranted;
                _ungranted = 0;
            }
        }
        if (grant > 0) await _mux.SendQuietlyAsync(new StreamCreditMessage(Id, grant));
        return chunk;
    }

    /// <summary>
    /// Sends <paramref name="data"/> in chunks of at most <see cref="AgentProtocol.MaxStreamChunk"/>, each when the
    /// peer's credit allows. Throws <see cref="StreamClosedException"/> once the stream has ended.
    /// </summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (!data.IsEmpty)
        {
            int take;
            Task creditChanged;
            lock (_gate)
            {
                if (_closure is { } closure) throw new StreamClosedException(closure);
                take = Math.Min(Math.Min(data.Length, AgentProtocol.MaxStreamChunk), _sendCredit);
                _sendCredit -= take;
                creditChanged = _creditChanged.Task;
            }
            if (take == 0)
            {
                await creditChanged.WaitAsync(ct);
                continue;
            }
            await _mux.SendAsync(new StreamDataMessage(Id, data[..take].ToArray()), ct);
            data = data[take..];
        }
    }

    /// <summary>Ends the stream on both sides (a second close, or a close after the peer's, does nothing).</summary>
    public async Task CloseAsync(StreamCloseReason reason, string message)
    {
        var closure = new StreamCloseMessage(Id, reason, message);
        if (!End(closure)) return;
        await _mux.SendQuietlyAsync(closure);
    }

    internal Task WhenOpenedAsync(CancellationToken ct) => _opened.Task.WaitAsync(ct);

    internal void OnOpened(int window)
    {
        OnCredit(window);
        _opened.TrySetResult();
    }

    internal void OnData(byte[] data)
    {
        bool overflow;
        lock (_gate)
        {
            if (_closure is not null) return;
            overflow = _queuedBytes + data.Length > _mux.Window;
            if (!overflow)
            {
                _queuedBytes += data.Length;
                _received.Writer.TryWrite(data);
            }
        }
        if (overflow)
            _ = CloseAsync(StreamCloseReason.Overflow, $"The stream sent more than its window of {_mux.Window} bytes before it was granted more.");
    }

    internal void OnCredit(int bytes)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (bytes <= 0) return;
            _sendCredit = (int)Math.Min(int.MaxValue, (long)_sendCredit + bytes);
            changed = _creditChanged;
            _creditChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    internal void OnClosed(StreamCloseMessage closure) => End(closure);

    /// <summary>Marks the stream ended: reads finish after what was received, writers and the opener are woken.</summary>
    private bool End(StreamCloseMessage closure)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (_closure is not null) return false;
            _closure = closure;
            _received.Writer.TryComplete();
            changed = _creditChanged;
        }
        _mux.Remove(this);
        changed.TrySetResult();
        _opened.TrySetException(new StreamClosedException(closure));
        _ = _opened.Task.Exception; // observed: an opener that already went away does not leave it unobserved
        _closedToken.Cancel();
        return true;
    }
}
