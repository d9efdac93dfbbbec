using Hangar.Protocol.Agent.Wire;
using Hangar.Spec;

namespace Hangar.Protocol.Agent;

/// <summary>
/// One VM an agent should have, in the fleet file's records: what the control plane decides and what the agent's
/// supervisors work on. It is not itself sent: <see cref="WireMapping"/> turns it into the protocol's
/// <see cref="WireDesiredVm"/> and back, so a change to the fleet-file records does not change the protocol.
/// </summary>
/// <param name="Spec">The VM as the fleet file declares it.</param>
/// <param name="Image">The file image it boots, when its image is not built in.</param>
/// <param name="Running">Whether it should run now (false after <c>hangar vm stop</c> or <c>hangar down</c>).</param>
/// <param name="RestartNonce">Changes whenever the user asks for a restart; the agent restarts the VM once per change.</param>
/// <param name="ImageBytes">The size of <paramref name="Image"/> in the control plane's image store (a file image);
/// null for a URL image, whose size the agent learns from the download.</param>
/// <remarks>The agent gets no path: on its side <paramref name="Image"/>'s <see cref="ImageSpec.Path"/> is null, and it
/// fetches the image by digest from the control plane, or from its URL.</remarks>
public sealed record DesiredVm(VmSpec Spec, ImageSpec? Image, bool Running, long RestartNonce, long? ImageBytes = null);
