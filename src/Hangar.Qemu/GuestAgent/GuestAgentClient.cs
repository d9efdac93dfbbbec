using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hangar.Qemu;

/// <summary>
/// One session with the guest agent (qemu-ga) of a VM, over the unix socket of its <c>org.qemu.guest_agent.0</c>
/// virtio-serial channel (<see cref="QemuRuntimePaths.GuestAgentSocket"/>).
/// </summary>
/// <remarks>
/// <code>
///  ConnectAsync ──► 0xFF + guest-sync-delimited(id) ──► skip to 0xFF, {"return": id} ──► Open ──► commands, one at a time
///                         └─ no answer within the timeout: GuestAgentException (NoAnswer) — no qemu-ga in the guest
/// </code>
/// The channel is a byte pipe that outlives sessions: what an earlier session left unread (a late reply) or half
/// written is still in it. The sync with a fresh id, preceded by 0xFF (which qemu-ga takes as "drop what you were
/// parsing") and answered after a 0xFF of its own, puts both sides at a known point. QEMU serves one client on the
/// socket at a time; callers keep one session per VM at a time. A command that times out leaves its reply in the
/// pipe, so the session must not be used further (it throws); the next session's sync skips that reply.
/// </remarks>
public sealed class GuestAgentClient : IAsyncDisposable
{
    /// <summary>How long the sync may take: qemu-ga answers at once when it runs.</summary>
    public static readonly TimeSpan DefaultSyncTimeout = TimeSpan.FromSeconds(3);

    private const byte Delimiter = 0xFF;
    private readonly Socket _socket;
    private readonly TimeProvider _time;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;
    private bool _broken;

    private GuestAgentClient(Socket socket, TimeProvider time)
    {
        _socket = socket;
        _time = time;
    }

    /// <summary>Connects to <paramref name="socketPath"/> and syncs with the agent; throws <see cref="GuestAgentException"/> when none answers.</summary>
    public static async Task<GuestAgentClient> ConnectAsync(string socketPath, TimeSpan syncTimeout, TimeProvider time, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var client = new GuestAgentClient(socket, time);
        try
        {
            using var timeout = Deadline(syncTimeout, ct);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeout.Token).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new GuestAgentException($"The guest agent channel {socketPath} cannot be reached ({e.SocketErrorCode}); the VM may not be running.", noAnswer: true, innerException: e);
            }
            await client.SyncAsync(syncTimeout, timeout.Token, ct).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary><c>guest-ping</c>: whether the agent answers (it throws when not).</summary>
    public Task PingAsync(TimeSpan timeout, CancellationToken ct) => ExecuteAsync("guest-ping", null, timeout, ct);

    /// <summary>The guest's OS, host name and addresses; a part the agent does not offer (an old or restricted qemu-ga) is left empty.</summary>
    public async Task<GuestInfo> GetInfoAsync(TimeSpan timeout, CancellationToken ct)
    {
        var os = await TryAsync("guest-get-osinfo", timeout, ct).ConfigureAwait(false);
        var host = await TryAsync("guest-get-host-name", timeout, ct).ConfigureAwait(false);
        var interfaces = await TryAsync("guest-network-get-interfaces", timeout, ct).ConfigureAwait(false);
        return new GuestInfo(OsName(os), Text(host, "host-name"), Addresses(interfaces));
    }

    /// <summary>
    /// <c>guest-shutdown</c> (powerdown). The agent sends no reply when it accepts, so success is "no error within
    /// <paramref name="timeout"/>"; the caller waits for QEMU's SHUTDOWN event as for an ACPI power-off.
    /// </summary>
    public async Task ShutdownAsync(TimeSpan timeout, CancellationToken ct)
    {
        await SendAsync("guest-shutdown", new JsonObject { ["mode"] = "powerdown" }, ct).ConfigureAwait(false);
        using var wait = Deadline(timeout, ct);
        try
        {
            var reply = await ReadReplyAsync(wait.Token).ConfigureAwait(false);
            if (reply["error"] is { } error) throw Refused("guest-shutdown", error);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // No reply is the agent's way of saying yes.
        }
        catch (GuestAgentException e) when (e.NoAnswer)
        {
            // The guest closed the channel on its way down: accepted as well.
        }
        _broken = true;
    }

    /// <summary>
    /// Runs <paramref name="path"/> with <paramref name="args"/> in the guest (<c>guest-exec</c> with its output captured)
    /// and waits until it has exited (<c>guest-exec-status</c>), at most <paramref name="timeout"/>.
    /// </summary>
    public async Task<GuestExecResult> ExecAsync(string path, IReadOnlyList<string> args, byte[]? input, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var started = _time.GetTimestamp();
        var arguments = new JsonObject
        {
            ["path"] = path,
            ["arg"] = new JsonArray([.. args.Select(a => (JsonNode?)JsonValue.Create(a))]),
            ["capture-output"] = true,
        };
        if (input is { Length: > 0 }) arguments["input-data"] = Convert.ToBase64String(input);
        var reply = await ExecuteAsync("guest-exec", arguments, timeout, ct).ConfigureAwait(false);
        var pid = reply?["pid"]?.GetValue<long>() ?? throw new GuestAgentException("The guest agent started a command but named no pid.", noAnswer: false);
        // guest-exec has no event for "exited": the status is asked again, more slowly the longer the command runs.
        var interval = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var left = timeout - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
                throw new GuestAgentException($"The command {path} did not finish within {timeout.TotalSeconds:0.#} s; it may still run in the guest.", noAnswer: false);
            var status = await ExecuteAsync("guest-exec-status", new JsonObject { ["pid"] = pid }, left, ct).ConfigureAwait(false);
            if (status?["exited"]?.GetValue<bool>() == true)
            {
                var signal = status["signal"]?.GetValue<int>();
                var code = status["exitcode"]?.GetValue<int>() ?? (signal is { } s ? 128 + s : -1);
                return new GuestExecResult(code, signal, Base64(status["out-data"]), Base64(status["err-data"]));
            }
            await Task.Delay(interval < left ? interval : left, _time, ct).ConfigureAwait(false);
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, TimeSpan.FromMilliseconds(500).Ticks));
        }
    }

    /// <summary>Sends one command and returns its <c>return</c> value; an <c>error</c> reply or no reply throws.</summary>
    public async Task<JsonNode?> ExecuteAsync(string command, JsonObject? arguments, TimeSpan timeout, CancellationToken ct)
    {
        await SendAsync(command, arguments, ct).ConfigureAwait(false);
        using var wait = Deadline(timeout, ct);
        JsonObject reply;
        try
        {
            reply = await ReadReplyAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            _broken = true;
            throw new GuestAgentException($"The guest agent did not answer '{command}' within {timeout.TotalSeconds:0.###} s.", noAnswer: true, innerException: e);
        }
        if (reply["error"] is { } error) throw Refused(command, error);
        return reply["return"];
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task SyncAsync(TimeSpan timeout, CancellationToken deadline, CancellationToken ct)
    {
        var id = Random.Shared.NextInt64(1, int.MaxValue);
        var sync = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["execute"] = "guest-sync-delimited",
            ["arguments"] = new JsonObject { ["id"] = id },
        }.ToJsonString() + "\n");
        try
        {
            await _socket.SendAsync(new[] { Delimiter }, SocketFlags.None, deadline).ConfigureAwait(false);
            await _socket.SendAsync(sync, SocketFlags.None, deadline).ConfigureAwait(false);
            while (true)
            {
                await SkipToDelimiterAsync(deadline).ConfigureAwait(false);
                var reply = await ReadReplyAsync(deadline).ConfigureAwait(false);
                // A late reply of an earlier session may carry its own 0xFF and id: only ours ends the sync.
                if (reply["return"] is JsonValue value && value.TryGetValue<long>(out var got) && got == id) return;
            }
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new GuestAgentException($"No guest agent answered within {timeout.TotalSeconds:0.###} s (is qemu-ga installed and running in the guest?).", noAnswer: true, innerException: e);
        }
        catch (SocketException e)
        {
            throw new GuestAgentException($"The guest agent channel failed ({e.SocketErrorCode}).", noAnswer: true, innerException: e);
        }
    }

    private async Task SendAsync(string command, JsonObject? arguments, CancellationToken ct)
    {
        if (_broken) throw new InvalidOperationException("This guest agent session cannot be used after a command timed out or a shutdown; connect again.");
        var message = new JsonObject { ["execute"] = command };
        if (arguments is not null) message["arguments"] = arguments;
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString() + "\n"), SocketFlags.None, ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            _broken = true;
            throw new GuestAgentException($"Sending '{command}' to the guest agent failed ({e.SocketErrorCode}).", noAnswer: true, innerException: e);
        }
    }

    private async Task SkipToDelimiterAsync(CancellationToken ct)
    {
        while (true)
        {
            var at = Array.IndexOf(_buffer, Delimiter, _start, _end - _start);
            if (at >= 0)
            {
                _start = at + 1;
                return;
            }
            _start = _end = 0;
            await FillAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>The next JSON object on the channel (one per line; stray bytes and blank lines are skipped).</summary>
    private async Task<JsonObject> ReadReplyAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline < 0)
            {
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                if (_end == _buffer.Length) throw new GuestAgentException("The guest agent sent a reply longer than 64 KiB on one line.", noAnswer: false);
                await FillAsync(ct).ConfigureAwait(false);
                continue;
            }
            var line = _buffer.AsSpan(_start, newline - _start);
            _start = newline + 1;
            var brace = line.IndexOf((byte)'{');
            if (brace < 0) continue;
            try
            {
                if (JsonNode.Parse(line[brace..]) is JsonObject reply) return reply;
            }
            catch (JsonException)
            {
                // A line cut by an earlier session's 0xFF; the next one is whole.
            }
        }
    }

    private async Task FillAsync(CancellationToken ct)
    {
        int read;
        try
        {
            read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            _broken = true;
            throw new GuestAgentException($"Reading from the guest agent failed ({e.SocketErrorCode}).", noAnswer: true, innerException: e);
        }
        if (read == 0)
        {
            _broken = true;
            throw new GuestAgentException("The guest agent channel closed; the VM may have stopped.", noAnswer: true);
        }
        _end += read;
    }

    private async Task<JsonNode?> TryAsync(string command, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            return await ExecuteAsync(command, null, timeout, ct).ConfigureAwait(false);
        }
        catch (GuestAgentException e) when (!e.NoAnswer)
        {
            return null;
        }
    }

    private static GuestAgentException Refused(string command, JsonNode error) =>
        new($"The guest agent refused '{command}': {error["desc"]?.GetValue<string>() ?? "no reason given"}.", noAnswer: false,
            errorClass: error["class"]?.GetValue<string>());

    private static string? OsName(JsonNode? os)
    {
        if (Text(os, "pretty-name") is { Length: > 0 } pretty) return pretty;
        var name = Text(os, "name");
        var version = Text(os, "version");
        return name is null ? null : version is null ? name : $"{name} {version}";
    }

    private static string? Text(JsonNode? node, string field) =>
        node is JsonObject o && o[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static IReadOnlyList<string> Addresses(JsonNode? interfaces)
    {
        var addresses = new List<string>();
        if (interfaces is not JsonArray list) return addresses;
        foreach (var nic in list.OfType<JsonObject>())
        {
            if (Text(nic, "name") == "lo") continue;
            if (nic["ip-addresses"] is not JsonArray ips) continue;
            foreach (var ip in ips.OfType<JsonObject>())
            {
                if (Text(ip, "ip-address") is not { } address) continue;
                var prefix = ip["prefix"] is JsonValue p && p.TryGetValue<int>(out var n) ? n.ToString(CultureInfo.InvariantCulture) : null;
                addresses.Add(prefix is null ? address : $"{address}/{prefix}");
            }
        }
        return addresses;
    }

    private static byte[] Base64(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? Convert.FromBase64String(s) : [];

    // The socket waits count on the system clock (a reply comes from outside); the TimeProvider paces guest-exec-status.
    private static CancellationTokenSource Deadline(TimeSpan timeout, CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        return cts;
    }
}
