using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Hangar.Qemu.Tests.Qmp;

/// <summary>The server side of one QMP connection: send replies, events or anything else; close it.</summary>
internal sealed class FakeQmpConnection(Socket socket) : IAsyncDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public Socket Socket { get; } = socket;

    public Task SendAsync(object message) => SendLineAsync(JsonSerializer.Serialize(message));

    public Task SendEventAsync(string name, object? data = null) =>
        SendAsync(data is null
            ? new { @event = name, timestamp = new { seconds = 1_700_000_000, microseconds = 250_000 } }
            : new { @event = name, data, timestamp = new { seconds = 1_700_000_000, microseconds = 250_000 } });

    public async Task SendLineAsync(string line)
    {
        await _writeLock.WaitAsync();
        try
        {
            await Socket.SendAsync(Encoding.UTF8.GetBytes(line + "\r\n"));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Closes the connection as a dying QEMU would.</summary>
    public ValueTask DisposeAsync()
    {
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        Socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
