namespace Hangar.Protocol.Agent;

/// <summary>Agent → control plane: stream <paramref name="Stream"/> is open (the log file or the console socket is).</summary>
/// <param name="Window">How many data bytes the control plane may send before the agent grants more (console input).</param>
public sealed record StreamOpenedMessage(string Stream, int Window) : AgentMessage;
