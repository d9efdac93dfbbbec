namespace Hangar.Protocol.Agent.Streams;

/// <summary>A relayed stream is over (or was refused when opened); <see cref="Closure"/> says why.</summary>
public sealed class StreamClosedException(StreamCloseMessage closure, Exception? inner = null) : IOException(closure.Message, inner)
{
    public StreamCloseMessage Closure { get; } = closure;
    public StreamCloseReason Reason => Closure.Reason;
}
