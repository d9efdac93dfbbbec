using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Hangar.Testing;

/// <summary>
/// A small HTTP/1.1 file server on a loopback port, for image downloads in tests (there is no internet here): serves
/// the files it is given, honours <c>Range: bytes=N-</c> with a 206, answers 404 for anything else, and can cut the
/// connection after some bytes of a response, as a flaky network would. It records every request, with its range and
/// the body bytes it sent. One connection per request (<c>Connection: close</c>).
/// </summary>
public sealed class LoopbackFileServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ServedRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _cutsLeft;
    private long _cutAfter;

    public LoopbackFileServer()
    {
        _listener.Start();
        _loop = Task.Run(() => AcceptAsync(_stop.Token));
    }

    public Uri BaseUrl => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Serves <paramref name="content"/> at <paramref name="path"/> (e.g. "disk.qcow2") and returns its URL.</summary>
    public Uri Serve(string path, byte[] content)
    {
        _files["/" + path.TrimStart('/')] = content;
        return new Uri(BaseUrl, path);
    }

    /// <summary>The next <paramref name="times"/> responses close the connection after <paramref name="bytes"/> body bytes.</summary>
    public void CutAfter(long bytes, int times = 1)
    {
        Interlocked.Exchange(ref _cutAfter, bytes);
        Interlocked.Exchange(ref _cutsLeft, times);
    }

    public IReadOnlyList<ServedRequest> Requests => _requests.ToArray();

    private async Task AcceptAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(ct); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Task.Run(() => ServeAsync(client, ct), ct);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream, ct);
                var lines = head.Split("\r\n");
                var target = lines[0].Split(' ')[1];
                var range = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Range", StringComparison.OrdinalIgnoreCase))
                    .Select(p => p[1].Trim()).FirstOrDefault();
                if (!_files.TryGetValue(target, out var content))
                {
                    _requests.Enqueue(new ServedRequest(target, range, 404, 0));
                    await WriteAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ct);
                    return;
                }
                long from = 0;
                if (range is { } r && r.StartsWith("bytes=", StringComparison.Ordinal) && r.EndsWith('-'))
                    from = long.Parse(r["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
                var status = from > 0 ? 206 : 200;
                var body = content.AsMemory((int)from);
                var header = status == 206
                    ? $"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {from}-{content.Length - 1}/{content.Length}\r\n"
                    : "HTTP/1.1 200 OK\r\nAccept-Ranges: bytes\r\n";
                await WriteAsync(stream, header + $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n", ct);
                var send = body;
                if (Interlocked.Decrement(ref _cutsLeft) >= 0) send = body[..(int)Math.Min(Interlocked.Read(ref _cutAfter), body.Length)];
                await stream.WriteAsync(send, ct);
                await stream.FlushAsync(ct);
                _requests.Enqueue(new ServedRequest(target, range, status, send.Length));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken ct)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, ct) == 1)
        {
            bytes.Add(one[0]);
            if (bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n') break;
        }
        return Encoding.ASCII.GetString(bytes.ToArray());
    }

    private static Task WriteAsync(NetworkStream stream, string text, CancellationToken ct) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(text), ct).AsTask();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}

/// <summary>One request a <see cref="LoopbackFileServer"/> answered: its path, its Range header, the status and the body bytes sent.</summary>
public sealed record ServedRequest(string Path, string? Range, int Status, long BodyBytes);
