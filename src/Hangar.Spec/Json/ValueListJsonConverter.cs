using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Hangar.Spec.Json;

/// <summary>
/// A <see cref="ValueList{T}"/> as a JSON array. One closed converter per element type, listed in
/// <see cref="FleetJsonContext"/> (a factory would need <c>MakeGenericType</c>, which code compiled ahead of time lacks).
/// </summary>
internal sealed class ValueListJsonConverter<T> : JsonConverter<ValueList<T>>
{
    // A ValueList is a struct, so without this a JSON null would reach Read only for nullable declarations.
    public override bool HandleNull => true;

    public override ValueList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("Expected a JSON array");
        var info = ItemInfo(options);
        var items = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            items.Add(JsonSerializer.Deserialize(ref reader, info)!);
        return new ValueList<T>(items);
    }

    public override void Write(Utf8JsonWriter writer, ValueList<T> value, JsonSerializerOptions options)
    {
        var info = ItemInfo(options);
        writer.WriteStartArray();
        foreach (var item in value) JsonSerializer.Serialize(writer, item, info);
        writer.WriteEndArray();
    }

    private static JsonTypeInfo<T> ItemInfo(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}
