using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Hangar.Qemu.Internal;

namespace Hangar.Qemu;

/// <summary>
/// A client for the QEMU Machine Protocol on a unix socket, modelled on Incus's: read the greeting, negotiate
/// capabilities, then one reader loop splits events from replies. Replies are matched by a generated id; one
/// command is in flight at a time, each with its own timeout.
/// </summary>
/// <remarks>
/// <code>
///  ConnectAsync ──► greeting ──► qmp_capabilities ──► Open ──(socket closes / DisposeAsync)──► Closed
///                                                      │                                        │
///                                   ExecuteAsync, Events                    pending command fails at once,
///                                                                           Events completes, Completion completes
/// </code>
/// QEMU serves one QMP client per socket at a time: a second connection waits until the first one closes.
/// </remarks>
public sealed class QmpClient : IAsyncDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly QmpClientOptions _options;
    private readonly SemaphoreSlim _oneCommandAtATime = new(1, 1);
    private readonly Channel<QmpEvent> _events = Channel.CreateUnbounded<QmpEvent>(
        new UnboundedChannelOptions { SingleWriter = true });
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _lock = new();
    private PendingQmpCommand? _pending;
    private bool _closed;
    private Exception? _closeCause;
    private long _lastId;
    private Task _readLoop = Task.CompletedTask;

    private QmpClient(NetworkStream stream, StreamReader reader, QmpGreeting greeting, QmpClientOptions options)
    {
        _stream = stream;
        _reader = reader;
        Greeting = greeting;
        _options = options;
    }

    /// <summary>What the server announced when the connection opened.</summary>
    public QmpGreeting Greeting { get; }

    /// <summary>
    /// Every event QEMU sends, in order. The reader loop never waits for a consumer (the channel is unbounded), so
    /// no event is lost while commands run. Completes when the connection closes.
    /// </summary>
    public ChannelReader<QmpEvent> Events => _events.Reader;

    /// <summary>Completes (never faults) when the connection has closed, whether QEMU went away or we disposed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>
    /// Connects to a QMP socket, reads the greeting and negotiates capabilities. While the socket does not exist
    /// yet or refuses, retries until <paramref name="connectTimeout"/> has passed.
    /// </summary>
    /// <exception cref="QmpConnectException">No QMP session within the timeout.</exception>
    public static Task<QmpClient> ConnectAsync(string socketPath, TimeSpan connectTimeout, CancellationToken cancellationToken) =>
        ConnectAsync(socketPath, connectTimeout, QmpClientOptions.Default, cancellationToken);

    /// <inheritdoc cref="ConnectAsync(string, TimeSpan, CancellationToken)"/>
    public static async Task<QmpClient> ConnectAsync(
        string socketPath, TimeSpan connectTimeout, QmpClientOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        ArgumentNullException.ThrowIfNull(options);

        using var deadline = new CancellationTokenSource(connectTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        Socket? socket = null;
        var connected = false;
        try
        {
            socket = await ConnectSocketAsync(socketPath, options, linked.Token).ConfigureAwait(false);
            connected = true;
            var stream = new NetworkStream(socket, ownsSocket: true);
            socket = null;
            var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
            QmpGreeting greeting;
            try
            {
                var line = await reader.ReadLineAsync(linked.Token).ConfigureAwait(false)
                    ?? throw new QmpConnectException(socketPath, $"The QMP socket {socketPath} closed before QEMU sent its greeting.", null);
                greeting = ParseGreeting(socketPath, line);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            var client = new QmpClient(stream, reader, greeting, options);
            client._readLoop = Task.Run(client.ReadLoopAsync, CancellationToken.None);
            try
            {
                await client.ExecuteAsync("qmp_capabilities", null, null, linked.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is QmpException && e is not QmpConnectException)
            {
                await client.DisposeAsync().ConfigureAwait(false);
                throw new QmpConnectException(socketPath, $"QMP capabilities negotiation on {socketPath} failed.", e);
            }
            catch
            {
                await client.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return client;
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var why = connected
                ? "the socket accepted but QEMU sent no greeting (it serves one QMP client at a time: is another one connected?)"
                : "the socket did not accept a connection";
            throw new QmpConnectException(socketPath,
                $"No QMP session on {socketPath} within {connectTimeout.TotalSeconds:0.###} s: {why}.", e.InnerException ?? e);
        }
        finally
        {
            socket?.Dispose();
        }
    }

    /// <summary>
    /// Sends one command and returns its <c>return</c> value. Calls are serialized: a call waits for the previous
    /// command to finish. <paramref name="arguments"/> is sent as the command's <c>arguments</c> object (a
    /// <see cref="JsonObject"/>: no reflection, so the daemon runs compiled ahead of time); null sends none.
    /// </summary>
    /// <exception cref="QmpCommandException">QEMU answered with an error.</exception>
    /// <exception cref="QmpTimeoutException">No reply within <paramref name="timeout"/> (default from options).</exception>
    /// <exception cref="QmpConnectionClosedException">The connection closed before the reply.</exception>
    public async Task<JsonElement> ExecuteAsync(
        string command, JsonObject? arguments = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        var limit = timeout ?? _options.CommandTimeout;

        await _oneCommandAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        var sent = _options.TimeProvider.GetTimestamp();
        try
        {
            var pending = new PendingQmpCommand(
                "hangar-" + Interlocked.Increment(ref _lastId).ToString(System.Globalization.CultureInfo.InvariantCulture),
                command);
            lock (_lock)
            {
                if (_closed) throw new QmpConnectionClosedException(command, _closeCause);
                _pending = pending;
            }
            try
            {
                var payload = JsonSerializer.SerializeToUtf8Bytes(new QmpRequest(command, arguments, pending.Id), QemuJsonContext.Default.QmpRequest);
                try
                {
                    // Not cancelled by the caller's token: a half-written line would corrupt the stream for
                    // every later command. A few hundred bytes never block on a live socket.
                    await _stream.WriteAsync(payload, _disposing.Token).ConfigureAwait(false);
                    await _stream.WriteAsync(NewLine, _disposing.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
                {
                    throw new QmpConnectionClosedException(command, e);
                }

                try
                {
                    return await pending.Reply.Task.WaitAsync(limit, _options.TimeProvider, cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (TimeoutException e)
                {
                    throw new QmpTimeoutException(command, limit, e);
                }
            }
            finally
            {
                lock (_lock)
                {
                    if (_pending == pending) _pending = null;
                }
            }
        }
        finally
        {
            QmpMetrics.CommandDuration.Record(_options.TimeProvider.GetElapsedTime(sent).TotalSeconds,
                new KeyValuePair<string, object?>(QmpMetrics.CommandTag, command));
            _oneCommandAtATime.Release();
        }
    }

    /// <summary><c>cont</c>: start or resume the guest CPUs (after <c>-S</c> or a pause).</summary>
    public Task ContinueAsync(CancellationToken cancellationToken) =>
        ExecuteAsync("cont", null, null, cancellationToken);

    /// <summary><c>query-status</c>.</summary>
    public async Task<QmpStatus> QueryStatusAsync(CancellationToken cancellationToken)
    {
        var reply = await ExecuteAsync("query-status", null, null, cancellationToken).ConfigureAwait(false);
        return new QmpStatus(reply.GetProperty("running").GetBoolean(), reply.GetProperty("status").GetString() ?? "");
    }

    /// <summary>
    /// <c>human-monitor-command</c>: runs one HMP command and returns its text output. Only for what QMP has no
    /// command for (such as <c>info usernet</c>); HMP output is meant for people, so parse it defensively.
    /// </summary>
    public async Task<string> HumanMonitorCommandAsync(string commandLine, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(commandLine);
        var reply = await ExecuteAsync("human-monitor-command", new JsonObject { ["command-line"] = commandLine }, null, cancellationToken)
            .ConfigureAwait(false);
        return reply.ValueKind == JsonValueKind.String ? reply.GetString() ?? "" : "";
    }

    /// <summary>
    /// <c>block_resize</c>: sets the virtual size of the block device <paramref name="device"/> (a <c>-drive</c> id) while
    /// the VM runs; a virtio-blk guest is told of the new capacity at once. QEMU shrinks as readily as it grows, so the
    /// caller decides that <paramref name="sizeBytes"/> is larger.
    /// </summary>
    public Task BlockResizeAsync(string device, long sizeBytes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(device);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeBytes);
        return ExecuteAsync("block_resize", new JsonObject { ["device"] = device, ["size"] = sizeBytes }, null, cancellationToken);
    }

    /// <summary>
    /// <c>balloon</c>: asks the guest's balloon driver to leave it <paramref name="targetBytes"/> of memory. QEMU answers at
    /// once; the guest gets there gradually (<see cref="QueryBalloonAsync"/>, the <c>BALLOON_CHANGE</c> event), and not at
    /// all without a driver. Fails (<see cref="QmpCommandException"/>) when the VM has no balloon device.
    /// </summary>
    public Task SetBalloonAsync(long targetBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetBytes);
        return ExecuteAsync("balloon", new JsonObject { ["value"] = targetBytes }, null, cancellationToken);
    }

    /// <summary><c>query-balloon</c>: the guest's memory as its balloon leaves it now, in bytes.</summary>
    public async Task<long> QueryBalloonAsync(CancellationToken cancellationToken)
    {
        var reply = await ExecuteAsync("query-balloon", null, null, cancellationToken).ConfigureAwait(false);
        return reply.GetProperty("actual").GetInt64();
    }

    /// <summary><c>system_powerdown</c>: press the ACPI power button. The guest may ignore it.</summary>
    public Task SystemPowerdownAsync(CancellationToken cancellationToken) =>
        ExecuteAsync("system_powerdown", null, null, cancellationToken);

    /// <summary>
    /// <c>quit</c>: QEMU exits at once. QEMU may close the socket before its reply arrives; that counts as success.
    /// </summary>
    public async Task QuitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync("quit", null, null, cancellationToken).ConfigureAwait(false);
        }
        catch (QmpConnectionClosedException)
        {
            // The socket closing is QEMU doing what we asked.
        }
    }

    /// <summary>Closes the connection (QEMU keeps running). A pending command fails with
    /// <see cref="QmpConnectionClosedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_disposing.IsCancellationRequested) await _disposing.CancelAsync().ConfigureAwait(false);
        try
        {
            _stream.Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed by the peer.
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
        await _readLoop.ConfigureAwait(false);
        Close(null);
    }

    private static async Task<Socket> ConnectSocketAsync(string socketPath, QmpClientOptions options, CancellationToken cancellationToken)
    {
        var endpoint = new UnixDomainSocketEndPoint(socketPath);
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                // Polling on purpose: QEMU creates the socket while it starts, and no event tells us when a
                // socket file appears or starts listening (inotify would not tell us about the listen).
                try
                {
                    await Task.Delay(options.ConnectRetryInterval, options.TimeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException cancelled)
                {
                    throw new OperationCanceledException(cancelled.Message, e, cancellationToken);
                }
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    private static QmpGreeting ParseGreeting(string socketPath, string line)
    {
        try
        {
            return QmpMessage.ParseGreeting(line);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new QmpConnectException(socketPath, $"The server on {socketPath} did not send a QMP greeting: {Truncate(line)}", e);
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception? cause = null;
        try
        {
            while (await _reader.ReadLineAsync(_disposing.Token).ConfigureAwait(false) is { } line)
            {
                if (line.Length > 0) Dispatch(line);
            }
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            cause = _disposing.IsCancellationRequested ? null : e;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // A server that does not speak QMP cannot be trusted with further commands.
            cause = new QmpException("QEMU sent a message that is not valid QMP.", e);
        }
        Close(cause);
    }

    private void Dispatch(string line)
    {
        using var document = JsonDocument.Parse(line);
        var message = document.RootElement;
        if (QmpMessage.TryReadEvent(message, out var qmpEvent))
        {
            _events.Writer.TryWrite(qmpEvent!);
            return;
        }
        if (!QmpMessage.IsReply(message, out var id)) return;

        PendingQmpCommand? pending;
        lock (_lock)
        {
            pending = _pending;
        }
        // A reply without id answers input QEMU could not parse, necessarily the command in flight. A reply with
        // another id is the late answer to a command that timed out: drop it.
        if (pending is not null && (id is null || id == pending.Id)) QmpMessage.Complete(pending, message);
    }

    private void Close(Exception? cause)
    {
        PendingQmpCommand? pending;
        lock (_lock)
        {
            if (_closed) return;
            _closed = true;
            _closeCause = cause;
            pending = _pending;
        }
        pending?.Reply.TrySetException(new QmpConnectionClosedException(pending.Command, cause));
        _events.Writer.TryComplete();
        _completion.TrySetResult();
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
