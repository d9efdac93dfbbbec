using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Hangar.Spec.Json;

namespace Hangar.Protocol.Tests;

/// <summary>
/// The reflection-based settings <see cref="HangarJson.Options"/> had before the daemon was compiled ahead of time
/// (the stored spec's settings, with unknown fields skipped and metadata in any order). The yardstick for "the wire
/// bytes did not change", and what describes test-only records that no generated context holds.
/// </summary>
internal static class ReflectionHangarJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            AllowOutOfOrderMetadataProperties = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            Converters =
            {
                new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false),
                new MillisecondsTimeSpanJsonConverter(),
            },
        };
        options.MakeReadOnly();
        return options;
    }
}
