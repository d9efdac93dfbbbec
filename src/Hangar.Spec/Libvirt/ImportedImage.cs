namespace Hangar.Spec.Libvirt;

/// <summary>An image made from the domain's disk: its file, format and digest (null when the file could not be read here).</summary>
internal sealed record ImportedImage(string Path, DiskFormat Format, string? Sha256);
