namespace Hangar.Protocol.Agent.Wire;

/// <summary>One VM an agent should have, as <see cref="DesiredStateMessage"/> carries it. Made from a
/// <see cref="DesiredVm"/> by <see cref="WireMapping"/>, and read back into one on the agent.</summary>
/// <param name="Spec">What the agent needs of the VM's fleet-file declaration.</param>
/// <param name="Image">The file image it boots, when its image is not built in.</param>
/// <param name="Running">Whether it should run now (false after <c>hangar vm stop</c> or <c>hangar down</c>).</param>
/// <param name="RestartNonce">Changes whenever the user asks for a restart; the agent restarts the VM once per change.</param>
public sealed record WireDesiredVm(WireVm Spec, WireImage? Image, bool Running, long RestartNonce);
