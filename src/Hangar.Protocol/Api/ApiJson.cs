using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Hangar.Protocol.Agent;
using Hangar.Spec.Json;

namespace Hangar.Protocol.Api;

/// <summary>
/// The REST API's JSON, generated at compile time: what the <c>hangar</c> client (compiled ahead of time, without
/// reflection) reads and writes, and the documents its <c>--output json</c> prints (docs/cli.md). The server writes the same context
/// (through <see cref="HangarJson.Options"/>); <c>ApiJsonTests</c> checks the bytes against the reflection-based JSON the
/// server wrote before it was compiled ahead of time, and that every enum is written as a word.
/// </summary>
public static class ApiJson
{
    /// <summary>Compact, as on the wire.</summary>
    public static JsonSerializerOptions Options => ApiJsonContext.Default.Options;

    /// <summary>Indented, for <c>--output json</c>.</summary>
    public static JsonSerializerOptions Indented { get; } = CreateIndented();

    private static JsonSerializerOptions CreateIndented()
    {
        var options = new JsonSerializerOptions(ApiJsonContext.Default.Options) { WriteIndented = true };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>The contract of <typeparamref name="T"/>; an API type missing from the context is a bug, said plainly.</summary>
    public static JsonTypeInfo<T> Info<T>(JsonSerializerOptions? options = null) =>
        (JsonTypeInfo<T>)((options ?? Options).TypeInfoResolver!.GetTypeInfo(typeof(T), options ?? Options)
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the API's JSON context (ApiJsonContext)."));
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    AllowOutOfOrderMetadataProperties = true,
    Converters =
    [
        typeof(MillisecondsTimeSpanJsonConverter),
        typeof(CamelCaseEnumConverter<VmPhase>), typeof(CamelCaseEnumConverter<HealthState>), typeof(CamelCaseEnumConverter<RestartCause>),
        typeof(CamelCaseEnumConverter<OrphanAction>), typeof(CamelCaseEnumConverter<RolloutState>), typeof(CamelCaseEnumConverter<PlanAction>),
        typeof(CamelCaseEnumConverter<GenerationState>), typeof(CamelCaseEnumConverter<AgentState>), typeof(CamelCaseEnumConverter<ApiRole>),
        typeof(CamelCaseEnumConverter<AgentDrainState>), typeof(CamelCaseEnumConverter<DrainMoveState>),
    ])]
[JsonSerializable(typeof(ApplyRequest))]
[JsonSerializable(typeof(RollbackRequest))]
[JsonSerializable(typeof(DownRequest))]
[JsonSerializable(typeof(EmptyRequest))]
[JsonSerializable(typeof(ApplyResponse))]
[JsonSerializable(typeof(PlanResponse))]
[JsonSerializable(typeof(DiffResponse))]
[JsonSerializable(typeof(IReadOnlyList<GenerationInfo>))]
[JsonSerializable(typeof(GenerationDetail))]
[JsonSerializable(typeof(FleetStatus))]
[JsonSerializable(typeof(FleetStatusChange))]
[JsonSerializable(typeof(VmStatus))]
[JsonSerializable(typeof(VmInterfaceInfo))]
[JsonSerializable(typeof(VmShareInfo))]
[JsonSerializable(typeof(VmBalloonInfo))]
[JsonSerializable(typeof(VmBalloonRequest))]
[JsonSerializable(typeof(VmBalloonResult))]
[JsonSerializable(typeof(VmExecRequest))]
[JsonSerializable(typeof(VmExecResult))]
[JsonSerializable(typeof(DiskGcResponse))]
[JsonSerializable(typeof(ImageInfo))]
[JsonSerializable(typeof(IReadOnlyList<ImageInfo>))]
[JsonSerializable(typeof(IReadOnlyList<EventEntry>))]
[JsonSerializable(typeof(EventEntry))]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(ApplyOutcome))]
[JsonSerializable(typeof(DownOutcome))]
[JsonSerializable(typeof(ValidationOutcome))]
[JsonSerializable(typeof(JoinTokenRequest))]
[JsonSerializable(typeof(JoinTokenResponse))]
[JsonSerializable(typeof(AgentInfo))]
[JsonSerializable(typeof(IReadOnlyList<AgentInfo>))]
[JsonSerializable(typeof(AgentLabelsRequest))]
[JsonSerializable(typeof(AgentDrainRequest))]
[JsonSerializable(typeof(AgentDrainInfo))]
[JsonSerializable(typeof(ApiTokenRequest))]
[JsonSerializable(typeof(ApiTokenResponse))]
[JsonSerializable(typeof(ApiTokenInfo))]
[JsonSerializable(typeof(IReadOnlyList<ApiTokenInfo>))]
[JsonSerializable(typeof(AuthInfo))]
[JsonSerializable(typeof(ShutdownResponse))]
public sealed partial class ApiJsonContext : JsonSerializerContext;

/// <summary>The body of a POST that takes no arguments (<c>{}</c>).</summary>
public sealed record EmptyRequest
{
    public static readonly EmptyRequest Instance = new();
}
