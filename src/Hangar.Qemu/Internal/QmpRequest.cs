using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Hangar.Qemu.Internal;

/// <summary>A command as sent on the wire: <c>{"execute": …, "arguments": …, "id": …}</c>.</summary>
internal sealed record QmpRequest(
    [property: JsonPropertyName("execute")] string Execute,
    [property: JsonPropertyName("arguments"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonObject? Arguments,
    [property: JsonPropertyName("id")] string Id);
