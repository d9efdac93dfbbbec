using System.Text.Json;
using System.Text.Json.Serialization;
using Hangar.Spec.Json;

namespace Hangar.Spec;

/// <summary>
/// The canonical stored form of a <see cref="FleetSpec"/>: compact JSON, camelCase names, enums as camelCase strings,
/// sizes in bytes and durations in milliseconds. <c>Deserialize(Serialize(spec)) == spec</c> for every spec.
/// This is not the fleet-file format; use <see cref="FleetParser"/> for files that people write.
/// </summary>
public static class FleetJson
{
    /// <summary>The settings of the canonical form; other JSON of Hangar (API, agent protocol) builds on them.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters =
        {
            new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false),
            new ValueListJsonConverterFactory(),
            new ByteSizeJsonConverter(),
            new MillisecondsTimeSpanJsonConverter(),
        },
    };

    public static string Serialize(FleetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return JsonSerializer.Serialize(spec, Options);
    }

    /// <summary>Reads the stored form back; throws <see cref="JsonException"/> when the JSON is not one.</summary>
    public static FleetSpec Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize<FleetSpec>(json, Options)
            ?? throw new JsonException("Expected a fleet spec object, found null");
    }
}
