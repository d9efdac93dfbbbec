using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hangar.Spec.Json;

/// <summary>
/// A <see cref="TimeSpan"/> as a number of milliseconds. Written as a decimal, so that a duration that is not a whole
/// number of milliseconds still round-trips to the tick.
/// </summary>
public sealed class MillisecondsTimeSpanJsonConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var milliseconds))
            throw new JsonException("Expected a duration as a number of milliseconds");
        var ticks = milliseconds * TimeSpan.TicksPerMillisecond;
        if (ticks != decimal.Truncate(ticks) || ticks > TimeSpan.MaxValue.Ticks || ticks < TimeSpan.MinValue.Ticks)
            throw new JsonException($"{milliseconds} ms is not a duration a TimeSpan can hold exactly");
        return TimeSpan.FromTicks((long)ticks);
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue((decimal)value.Ticks / TimeSpan.TicksPerMillisecond);
}
