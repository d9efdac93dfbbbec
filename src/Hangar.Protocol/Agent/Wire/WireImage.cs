namespace Hangar.Protocol.Agent.Wire;

/// <summary>A file image as the agent protocol carries it: what the agent needs to find and check it on its host.
/// (The fleet file's <c>minMemory</c> is checked by the control plane when it plans, and is not sent.)</summary>
/// <param name="Name">The image's name, as VMs name it.</param>
/// <param name="Path">Absolute path on the agent's host.</param>
/// <param name="Sha256">Lowercase hex digest the file must have.</param>
/// <param name="Format">Disk format.</param>
public sealed record WireImage(string Name, string Path, string Sha256, WireDiskFormat Format);
