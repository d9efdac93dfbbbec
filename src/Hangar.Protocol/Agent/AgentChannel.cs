using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace Hangar.Protocol.Agent;

/// <summary>
/// Reads and writes <see cref="AgentMessage"/>s on a WebSocket, one JSON text frame per message. Used by both the
/// agent and the control plane. Sends are serialized; reads are done by one reader loop.
/// </summary>
public sealed class AgentChannel(WebSocket socket)
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public WebSocket Socket => socket;

    public async Task SendAsync(AgentMessage message, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, AgentJsonContext.Default.AgentMessage);
        await _sendLock.WaitAsync(ct);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// The next message, or null when the peer closed the connection. A frame that is not a message this side
    /// understands throws <see cref="AgentProtocolException"/>; the connection stays usable.
    /// </summary>
    public async Task<AgentMessage?> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var result = await socket.ReceiveAsync(memory, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                return null;
            }
            buffer.Advance(result.Count);
            if (buffer.WrittenCount > AgentProtocol.MaxFrameBytes)
            {
                await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"Frames are limited to {AgentProtocol.MaxFrameBytes} bytes.", ct);
                return null;
            }
            if (!result.EndOfMessage) continue;
            if (result.MessageType != WebSocketMessageType.Text)
                throw new AgentProtocolException(null, "bad_frame", "Only JSON text frames are accepted.");
            return Parse(buffer.WrittenSpan);
        }
    }

    // The discriminators the generated contract knows: the [JsonDerivedType] list on AgentMessage, read without reflection.
    private static readonly HashSet<string> KnownTypes = AgentJsonContext.Default.AgentMessage.PolymorphismOptions!.DerivedTypes
        .Select(d => (string)d.TypeDiscriminator!).ToHashSet(StringComparer.Ordinal);

    internal static AgentMessage Parse(ReadOnlySpan<byte> json)
    {
        string? id = null;
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new AgentProtocolException(null, "bad_frame", "A frame must be a JSON object.");
            if (root.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String) id = idElement.GetString();
            if (!root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var version) || version != AgentProtocol.Version)
                throw new AgentProtocolException(id, "unsupported_version", $"This side speaks protocol version {AgentProtocol.Version} only.");
            if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                throw new AgentProtocolException(id, "bad_frame", "A frame needs a string 'type'.");
            if (!KnownTypes.Contains(type.GetString()!))
                throw new AgentProtocolException(id, "unknown_type", $"Unknown message type '{type.GetString()}'; this side knows {string.Join(", ", KnownTypes.Order())}.");
            return root.Deserialize(AgentJsonContext.Default.AgentMessage)
                ?? throw new AgentProtocolException(id, "bad_frame", "A frame must not be null.");
        }
        catch (JsonException e)
        {
            throw new AgentProtocolException(id, "bad_message", $"The frame is not a message this side understands: {e.Message}", e);
        }
        catch (NotSupportedException e)
        {
            throw new AgentProtocolException(id, "unknown_type", $"Unknown message type: {e.Message}", e);
        }
    }
}

/// <summary>A frame broke the agent protocol; <see cref="Code"/> goes back to the peer in an <see cref="ErrorMessage"/>.</summary>
public sealed class AgentProtocolException(string? messageId, string code, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public string? MessageId { get; } = messageId;
    public string Code { get; } = code;
}
