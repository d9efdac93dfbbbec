using System.Text.Json;
using System.Text.Json.Serialization;
using Hangar.Spec.Json;

namespace Hangar.Spec.Tests;

/// <summary>
/// The reflection-based settings <see cref="FleetJson"/> had before it was generated at compile time: the yardstick
/// for "the stored form did not change" (specs stored by older servers must keep reading, and the bytes stay the same).
/// </summary>
internal static class ReflectionFleetJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        Converters =
        {
            new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false),
            new AnyValueListConverter(),
            new ByteSizeJsonConverter(),
            new MillisecondsTimeSpanJsonConverter(),
        },
    };

    /// <summary>The factory the stored form used to have (tests run with the JIT, so they may make generic types).</summary>
    private sealed class AnyValueListConverter : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(ValueList<>);

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(ValueListJsonConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
    }
}
