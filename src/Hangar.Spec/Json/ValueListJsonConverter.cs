using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hangar.Spec.Json;

/// <summary>A <see cref="ValueList{T}"/> as a JSON array.</summary>
internal sealed class ValueListJsonConverter<T> : JsonConverter<ValueList<T>>
{
    // A ValueList is a struct, so without this a JSON null would reach Read only for nullable declarations.
    public override bool HandleNull => true;

    public override ValueList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("Expected a JSON array");
        var items = JsonSerializer.Deserialize<List<T>>(ref reader, options)!;
        return new ValueList<T>(items);
    }

    public override void Write(Utf8JsonWriter writer, ValueList<T> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value) JsonSerializer.Serialize(writer, item, options);
        writer.WriteEndArray();
    }
}
