namespace Hangar.Protocol.Agent;

/// <summary>
/// Agent → control plane: "send me a full snapshot". Sent when a <see cref="DesiredDeltaMessage"/> does not start
/// from the revision the agent has (<paramref name="HaveRevision"/>); the agent ignores further deltas until a
/// <see cref="DesiredStateMessage"/> arrives.
/// </summary>
/// <param name="Reason">Why, in words, for the control plane's log.</param>
public sealed record ResyncMessage(long HaveRevision, string Reason) : AgentMessage;
