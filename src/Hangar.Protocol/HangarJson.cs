using System.Text.Json;
using System.Text.Json.Serialization;
using Hangar.Spec;

namespace Hangar.Protocol;

/// <summary>The one set of JSON settings for the API, the agent protocol and <c>--output json</c>.</summary>
public static class HangarJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(FleetJson.Options)
        {
            WriteIndented = indented,
            AllowOutOfOrderMetadataProperties = true,
            // Peers of another version may send fields this one does not know: skip them (the spec stays strict).
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
