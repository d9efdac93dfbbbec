using System.Text.Json.Serialization;

namespace Hangar.Qemu.Internal;

/// <summary>The fields we read from <c>qemu-img info --output=json</c>.</summary>
internal sealed record QemuImgInfoJson(
    [property: JsonPropertyName("format")] string? Format,
    [property: JsonPropertyName("virtual-size")] long? VirtualSize,
    [property: JsonPropertyName("actual-size")] long? ActualSize,
    [property: JsonPropertyName("full-backing-filename")] string? FullBackingFilename,
    [property: JsonPropertyName("backing-filename")] string? BackingFilename,
    [property: JsonPropertyName("backing-filename-format")] string? BackingFilenameFormat);
