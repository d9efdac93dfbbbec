using System.Text.Json;
using Hangar.Spec.Json;

namespace Hangar.Spec;

/// <summary>
/// The canonical stored form of a <see cref="FleetSpec"/>: compact JSON, camelCase names, enums as camelCase strings,
/// sizes in bytes and durations in milliseconds. <c>Deserialize(Serialize(spec)) == spec</c> for every spec.
/// This is not the fleet-file format; use <see cref="FleetParser"/> for files that people write.
/// </summary>
public static class FleetJson
{
    /// <summary>The settings of the canonical form, generated at compile time (<see cref="FleetJsonContext"/>).</summary>
    public static JsonSerializerOptions Options => FleetJsonContext.Default.Options;

    public static string Serialize(FleetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return JsonSerializer.Serialize(spec, FleetJsonContext.Default.FleetSpec);
    }

    /// <summary>Reads the stored form back; throws <see cref="JsonException"/> when the JSON is not one.</summary>
    public static FleetSpec Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize(json, FleetJsonContext.Default.FleetSpec)
            ?? throw new JsonException("Expected a fleet spec object, found null");
    }
}
