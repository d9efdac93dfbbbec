using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Hangar.Qemu.Tests.Qmp;

/// <summary>
/// A hand-written QMP server on a real unix socket, for the failures a real QEMU will not produce on demand.
/// It greets like QEMU 7.2, answers <c>qmp_capabilities</c> itself and hands every other command to a handler
/// (by default: reply <c>{}</c>). Connections are served one after the other, as QEMU does.
/// </summary>
internal sealed class FakeQmpServer : IAsyncDisposable
{
    public const string QemuGreeting =
        """{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7"}, "capabilities": ["oob"]}}""";

    private readonly Socket _listener;
    private readonly Func<FakeQmpCall, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly TaskCompletionSource<FakeQmpConnection> _firstConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeQmpServer(string socketPath, Func<FakeQmpCall, Task>? handler = null, string greeting = QemuGreeting)
    {
        SocketPath = socketPath;
        _handler = handler ?? (call => call.ReplyAsync());
        Greeting = greeting;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(1);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string SocketPath { get; }

    public string Greeting { get; }

    /// <summary>Every command received, in order, including <c>qmp_capabilities</c>.</summary>
    public ConcurrentQueue<FakeQmpCall> Received { get; } = new();

    /// <summary>The first connection, once the client has negotiated capabilities.</summary>
    public Task<FakeQmpConnection> Connected => _firstConnection.Task;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        File.Delete(SocketPath);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptAsync(_stop.Token);
            await using var connection = new FakeQmpConnection(socket);
            await ServeAsync(connection);
        }
    }

    private async Task ServeAsync(FakeQmpConnection connection)
    {
        await connection.SendLineAsync(Greeting);
        using var reader = new StreamReader(new NetworkStream(connection.Socket, ownsSocket: false), Encoding.UTF8);
        try
        {
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                var call = new FakeQmpCall(
                    connection,
                    root.GetProperty("execute").GetString()!,
                    root.TryGetProperty("id", out var id) ? id.GetString() : null,
                    root.TryGetProperty("arguments", out var arguments) ? arguments.Clone() : null);
                Received.Enqueue(call);
                if (call.Command == "qmp_capabilities")
                {
                    await call.ReplyAsync();
                    _firstConnection.TrySetResult(connection);
                }
                else
                {
                    await _handler(call);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The handler or the client closed the connection.
        }
    }
}
