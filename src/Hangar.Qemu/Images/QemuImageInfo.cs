namespace Hangar.Qemu;

/// <summary>What <c>qemu-img info</c> reports about an image.</summary>
/// <param name="Format">The image format, e.g. <c>qcow2</c> or <c>raw</c>.</param>
/// <param name="VirtualSizeBytes">The size the guest sees.</param>
/// <param name="ActualSizeBytes">Space used on the host, when known.</param>
/// <param name="BackingFile">The backing file as recorded in the image (absolute when created here); null for none.</param>
/// <param name="BackingFormat">The backing file's format, when recorded.</param>
public sealed record QemuImageInfo(
    string Format,
    long VirtualSizeBytes,
    long? ActualSizeBytes,
    string? BackingFile,
    string? BackingFormat);
