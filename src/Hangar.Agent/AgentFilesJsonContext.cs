using System.Text.Json.Serialization;
using Hangar.Agent.Vms;

namespace Hangar.Agent;

/// <summary>
/// The small state files the agent keeps next to its VMs (<c>runtime.json</c>, <c>disk.json</c>) and its KVM probe
/// cache, generated at compile time. Their settings are System.Text.Json's defaults (PascalCase names), as they were
/// written before: agents read the files earlier versions left.
/// </summary>
[JsonSerializable(typeof(RuntimeRecord))]
[JsonSerializable(typeof(DiskIdentity))]
[JsonSerializable(typeof(AcceleratorResolver.ProbeCache))]
[JsonSerializable(typeof(Dictionary<string, int>))]
internal sealed partial class AgentFilesJsonContext : JsonSerializerContext;
