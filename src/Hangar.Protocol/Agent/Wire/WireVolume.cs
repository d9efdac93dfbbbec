namespace Hangar.Protocol.Agent.Wire;

/// <summary>A VM's named volume as the agent protocol carries it (since version 6): made on the agent's host at the
/// VM's first start, grown when <see cref="SizeBytes"/> grows, kept until a purge.</summary>
/// <param name="Name">Its name, the disk's serial in the guest.</param>
/// <param name="SizeBytes">Its virtual size in bytes (<c>size</c> on the wire).</param>
/// <param name="Format">qcow2 or raw.</param>
public sealed record WireVolume(string Name, [property: System.Text.Json.Serialization.JsonPropertyName("size")] long SizeBytes, WireDiskFormat Format);
