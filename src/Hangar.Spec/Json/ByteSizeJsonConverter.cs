using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hangar.Spec.Json;

/// <summary>A <see cref="ByteSize"/> as its number of bytes.</summary>
internal sealed class ByteSizeJsonConverter : JsonConverter<ByteSize>
{
    public override ByteSize Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var bytes)
            ? new ByteSize(bytes)
            : throw new JsonException("Expected a size as a whole number of bytes");

    public override void Write(Utf8JsonWriter writer, ByteSize value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.Bytes);
}
