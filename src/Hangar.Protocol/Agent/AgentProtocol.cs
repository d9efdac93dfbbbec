namespace Hangar.Protocol.Agent;

/// <summary>Constants of the agent protocol.</summary>
public static class AgentProtocol
{
    /// <summary>9: <c>observed</c> VMs carry <c>confinement</c> (their QEMU's seccomp sandbox and user). 8: a desired VM's <c>spec</c> carries its <c>shares</c> (virtiofs) and <c>balloon</c>; <c>observed</c> VMs
    /// carry <c>balloon</c> (the guest's memory as its balloon leaves it), and <c>stream.open</c> of kind <c>balloon</c>
    /// sets or reads a running VM's balloon target (<c>balloon</c>). 7: a desired VM's <c>spec</c> carries its <c>interfaces</c> (user-mode or a tap on a bridge, each with its
    /// MAC) and <c>vsockCid</c>. 6: a desired VM's <c>spec</c> carries its <c>identity</c> (its SSH host key: the public line and the private key as
    /// ciphertext only), a credential may be <c>sealed</c> (handed to the guest undecrypted), <c>vncPort</c> and <c>volumes</c>. 5: a desired VM's <c>spec</c> carries its <c>credentials</c> (a secret as ciphertext only); every VM has a
    /// guest agent channel; <c>observed</c> VMs carry <c>guest</c> (what qemu-ga says: OS, host name, addresses), and
    /// <c>stream.open</c> of kind <c>exec</c> runs a command in the guest (<c>exec</c>). 4: a desired VM's <c>spec</c> carries its <c>guest</c> (the cloud-init seed's settings). 3: desired and observed state as a snapshot (in frames of bounded size) then deltas (<c>desired.delta</c>,
    /// <c>observed.delta</c>, <c>resync</c>); heartbeats carry no VM list; an image in <c>desired</c> carries its digest,
    /// size, format and URL, not a path. 2: the <c>stream.*</c> messages; <c>observed</c> no longer carries paths.</summary>
    public const int Version = 9;

    /// <summary>Most VMs one desired or observed frame carries; a snapshot or delta of more VMs continues in further
    /// frames (<c>more: true</c>), so no frame grows with the fleet.</summary>
    public const int MaxVmsPerFrame = 500;

    /// <summary>Path of the WebSocket endpoint on the control plane.</summary>
    public const string Path = "/agent/ws";

    /// <summary>Path where an agent exchanges a join token for its credential (<see cref="AgentJoinRequest"/>).</summary>
    public const string JoinPath = "/agent/join";

    /// <summary>
    /// Where an agent fetches an image by digest: <c>GET {ImagesPath}/{sha256}</c>, authenticated with its credential
    /// like <see cref="Path"/>, answered only for images that a VM placed on that agent uses; ranges are served.
    /// </summary>
    public const string ImagesPath = "/agent/images/sha256";

    /// <summary>Header of a 401 on <see cref="Path"/> that says why the credential was refused (a WebSocket client sees headers, not bodies).</summary>
    public const string RefusedHeader = "X-Hangar-Refused";

    /// <summary>Largest frame either side accepts; a larger one closes the connection with MessageTooBig.</summary>
    public const int MaxFrameBytes = 16 * 1024 * 1024;

    /// <summary>Most bytes one <see cref="StreamDataMessage"/> carries: small enough that a stream's frames never hold
    /// up desired and observed states on the connection for long.</summary>
    public const int MaxStreamChunk = 16 * 1024;

    /// <summary>The window each side gives a stream (bytes in flight before credit), and so the most it buffers per stream.</summary>
    public const int StreamWindow = 256 * 1024;

    /// <summary>Most streams open at once on one agent connection; an open beyond it is refused with <c>limit</c>.</summary>
    public const int MaxStreams = 64;
}
