using System.Net.Sockets;
using System.Text.Json;

namespace Hangar.Images.Tests.Qemu;

/// <summary>
/// Just enough QMP for tests, written by hand on purpose (this project does not reference Hangar.Qemu):
/// read the greeting, negotiate capabilities, run a command and wait for its "return", skipping events.
/// </summary>
internal sealed class QmpTestClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;

    private QmpTestClient(Socket socket)
    {
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(stream);
        _writer = new StreamWriter(stream) { AutoFlush = true, NewLine = "\n" };
    }

    public List<string> Events { get; } = [];

    public static async Task<QmpTestClient> ConnectAsync(string socketPath, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
        var client = new QmpTestClient(socket);
        var greeting = await client.ReadMessageAsync(ct);
        if (!greeting.RootElement.TryGetProperty("QMP", out _))
        {
            throw new InvalidOperationException("QMP greeting expected.");
        }

        await client.ExecuteAsync("qmp_capabilities", ct);
        return client;
    }

    public async Task ExecuteAsync(string command, CancellationToken ct)
    {
        await _writer.WriteLineAsync(JsonSerializer.Serialize(new { execute = command }).AsMemory(), ct);
        while (true)
        {
            using var message = await ReadMessageAsync(ct);
            if (message.RootElement.TryGetProperty("return", out _))
            {
                return;
            }

            if (message.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"QMP {command} failed: {error}");
            }

            if (message.RootElement.TryGetProperty("event", out var name))
            {
                Events.Add(name.GetString()!);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _writer.Dispose();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<JsonDocument> ReadMessageAsync(CancellationToken ct)
    {
        var line = await _reader.ReadLineAsync(ct) ?? throw new EndOfStreamException("QEMU closed the QMP socket.");
        return JsonDocument.Parse(line);
    }
}
