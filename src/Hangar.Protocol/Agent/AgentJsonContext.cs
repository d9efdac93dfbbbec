using System.Text.Json.Serialization;
using Hangar.Spec.Json;

namespace Hangar.Protocol.Agent;

/// <summary>
/// The agent protocol's JSON (frames on <c>/agent/ws</c>, <c>/agent/join</c>), generated at compile time so that
/// <c>hangard</c> runs compiled ahead of time. A new <see cref="AgentMessage"/> subtype needs only its
/// <c>[JsonDerivedType]</c> line on <see cref="AgentMessage"/>: the generator follows it, and every record it holds.
/// A new enum anywhere in a frame needs its <see cref="CamelCaseEnumConverter{TEnum}"/> below; <c>AgentJsonTests</c>
/// fails for a subtype or an enum that is missing, and when a frame's bytes differ from the reflection-based JSON.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    // Peers of another version may send fields this one does not know: skip them (the stored spec stays strict).
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    AllowOutOfOrderMetadataProperties = true,
    Converters =
    [
        typeof(MillisecondsTimeSpanJsonConverter),
        typeof(CamelCaseEnumConverter<VmPhase>), typeof(CamelCaseEnumConverter<HealthState>), typeof(CamelCaseEnumConverter<RestartCause>),
        typeof(CamelCaseEnumConverter<OrphanAction>), typeof(CamelCaseEnumConverter<StreamKind>), typeof(CamelCaseEnumConverter<StreamCloseReason>),
        typeof(CamelCaseEnumConverter<Wire.WireRestartPolicy>), typeof(CamelCaseEnumConverter<Wire.WireDiskFormat>), typeof(CamelCaseEnumConverter<Wire.WireInterfaceType>),
        typeof(CamelCaseEnumConverter<Wire.WirePortProtocol>), typeof(CamelCaseEnumConverter<Wire.WireCredentialKind>),
    ])]
[JsonSerializable(typeof(AgentMessage))]
[JsonSerializable(typeof(AgentJoinRequest))]
[JsonSerializable(typeof(AgentJoinResponse))]
[JsonSerializable(typeof(GuestExecOutcome))]
[JsonSerializable(typeof(BalloonOutcome))]
public sealed partial class AgentJsonContext : JsonSerializerContext;
