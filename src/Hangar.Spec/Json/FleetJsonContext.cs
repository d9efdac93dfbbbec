using System.Text.Json.Serialization;

namespace Hangar.Spec.Json;

/// <summary>
/// The canonical stored form of a fleet spec (<see cref="FleetJson"/>), generated at compile time: no reflection, so
/// the daemon runs compiled ahead of time. An enum or <see cref="ValueList{T}"/> added to the spec needs its converter
/// here; <c>FleetJsonTests</c> compares these bytes with the reflection-based settings they replace.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    Converters =
    [
        typeof(ByteSizeJsonConverter), typeof(MillisecondsTimeSpanJsonConverter),
        typeof(ValueListJsonConverter<VmSpec>), typeof(ValueListJsonConverter<ImageSpec>),
        typeof(ValueListJsonConverter<PortForward>), typeof(ValueListJsonConverter<HttpStatusRange>),
        typeof(ValueListJsonConverter<PlacementLabel>), typeof(ValueListJsonConverter<GuestUser>),
        typeof(ValueListJsonConverter<GuestFile>), typeof(ValueListJsonConverter<string>),
        typeof(ValueListJsonConverter<CredentialSpec>), typeof(CamelCaseEnumConverter<CredentialKind>), typeof(ValueListJsonConverter<VolumeSpec>), typeof(ValueListJsonConverter<ShareSpec>),
        typeof(CamelCaseEnumConverter<OrphanPolicy>), typeof(CamelCaseEnumConverter<PortProtocol>),
        typeof(CamelCaseEnumConverter<RestartPolicy>), typeof(CamelCaseEnumConverter<HealthCheckKind>),
        typeof(CamelCaseEnumConverter<DiskFormat>),
        typeof(ValueListJsonConverter<NetworkInterfaceSpec>), typeof(CamelCaseEnumConverter<InterfaceType>),
    ])]
[JsonSerializable(typeof(FleetSpec))]
internal sealed partial class FleetJsonContext : JsonSerializerContext;
