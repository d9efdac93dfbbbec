namespace Hangar.Protocol.Agent;

/// <summary>
/// Either way: bytes of stream <paramref name="Stream"/> (JSON: base64), at most <see cref="AgentProtocol.MaxStreamChunk"/>.
/// A sender keeps the bytes it sent and that were not granted back within the window the receiver gave.
/// </summary>
public sealed record StreamDataMessage(string Stream, byte[] Data) : AgentMessage;
