using System.Text.Json.Serialization;

namespace Hangar.Agent.Connection;

/// <summary>
/// <c>agent/credential.json</c>, generated at compile time: camelCase and indented, as the agent protocol's settings
/// wrote it before (so agents read the credentials earlier versions kept); unknown fields skipped.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    WriteIndented = true)]
[JsonSerializable(typeof(AgentCredential))]
internal sealed partial class CredentialJsonContext : JsonSerializerContext;
