using System.Text.Json;

namespace Hangar.Qemu;

/// <summary>An asynchronous QMP event such as <c>SHUTDOWN</c>, <c>STOP</c>, <c>RESUME</c> or <c>POWERDOWN</c>.</summary>
/// <param name="Name">The event name as QEMU spells it.</param>
/// <param name="Data">The event's <c>data</c> object; an empty object when the event has none.</param>
/// <param name="Timestamp">When QEMU emitted the event (QEMU's clock, microsecond precision).</param>
public sealed record QmpEvent(string Name, JsonElement Data, DateTimeOffset Timestamp);
