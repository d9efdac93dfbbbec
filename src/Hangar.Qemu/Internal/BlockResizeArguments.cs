using System.Text.Json.Serialization;

namespace Hangar.Qemu.Internal;

/// <summary>The arguments of <c>block_resize</c>: <c>{"device": …, "size": …}</c> (size in bytes).</summary>
internal sealed record BlockResizeArguments(
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("size")] long Size);
