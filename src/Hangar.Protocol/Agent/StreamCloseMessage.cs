namespace Hangar.Protocol.Agent;

/// <summary>
/// Either way: stream <paramref name="Stream"/> is over (also the refusal of a <see cref="StreamOpenMessage"/>). Data
/// sent before it is delivered first. The receiver answers nothing; a close of a stream it does not know is ignored.
/// </summary>
/// <param name="Message">Why, in words, for the user ("VM web is not running.").</param>
public sealed record StreamCloseMessage(string Stream, StreamCloseReason Reason, string Message) : AgentMessage;
