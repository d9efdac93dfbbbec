using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hangar.Spec.Json;

/// <summary>
/// The camelCase word for an enum value, as all of Hangar's JSON writes it (no numbers accepted). Generic, so that
/// code compiled ahead of time needs no reflection to build it; every JSON context lists one per enum it holds.
/// </summary>
public sealed class CamelCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    where TEnum : struct, Enum;
