using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;

namespace Hangar.Protocol;

/// <summary>
/// The one set of JSON settings for the server's side of the API and the agent protocol: the two compile-time
/// contexts together (<see cref="ApiJsonContext"/>, <see cref="AgentJsonContext"/>), with the converters of both. No
/// reflection: a type in neither context is refused (<see cref="NotSupportedException"/>), in a JIT build as in the
/// daemon compiled ahead of time. Add an API document to <see cref="ApiJsonContext"/>, a frame to
/// <see cref="AgentMessage"/>'s <c>[JsonDerivedType]</c> list.
/// </summary>
public static class HangarJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        // The contexts' settings are the same (camelCase, nullable and required parameters respected, unknown fields
        // skipped); their converters are what differs, and a context used under other options takes those options'.
        var options = new JsonSerializerOptions(ApiJsonContext.Default.Options)
        {
            WriteIndented = indented,
            TypeInfoResolver = JsonTypeInfoResolver.Combine(ApiJsonContext.Default, AgentJsonContext.Default),
        };
        foreach (var converter in AgentJsonContext.Default.Options.Converters)
            if (!options.Converters.Any(c => c.GetType() == converter.GetType())) options.Converters.Add(converter);
        options.MakeReadOnly();
        return options;
    }

    /// <summary>The contract of <typeparamref name="T"/> under <paramref name="options"/> (default <see cref="Options"/>).</summary>
    public static JsonTypeInfo<T> Info<T>(JsonSerializerOptions? options = null) =>
        (JsonTypeInfo<T>)(options ?? Options).GetTypeInfo(typeof(T));
}
