namespace Hangar.Protocol.Agent;

/// <summary>Either way: the receiver of stream <paramref name="Stream"/> consumed <paramref name="Bytes"/> more bytes; the sender may send that many more.</summary>
public sealed record StreamCreditMessage(string Stream, int Bytes) : AgentMessage;
