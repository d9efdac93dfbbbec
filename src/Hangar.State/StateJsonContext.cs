using System.Text.Json.Serialization;

namespace Hangar.State;

/// <summary>
/// The JSON columns of the state stores (agent labels, a generation's changed VMs and image digests), generated at
/// compile time. System.Text.Json's default settings, as the columns were always written.
/// </summary>
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
public sealed partial class StateJsonContext : JsonSerializerContext;
