namespace Hangar.Protocol.Agent.Wire;

/// <summary>
/// An image as the agent protocol carries it: what the agent needs to fetch and check it. There is no path: the
/// agent fetches a file image by its digest from the control plane (<see cref="AgentProtocol.ImagesPath"/>) and a URL
/// image from its URL, and keeps both in its own content-addressed cache. (The fleet file's <c>minMemory</c> is
/// checked by the control plane when it plans, and is not sent.)
/// </summary>
/// <param name="Name">The image's name, as VMs name it.</param>
/// <param name="Sha256">Lowercase hex digest the image must have.</param>
/// <param name="Format">Disk format.</param>
/// <param name="SizeBytes">Its size in the control plane's store; null for a URL image.</param>
/// <param name="Url">Where the agent downloads it itself; null for an image the control plane serves.</param>
public sealed record WireImage(string Name, string Sha256, WireDiskFormat Format, long? SizeBytes = null, string? Url = null);
