using System.Text.Json.Serialization;

namespace Hangar.Qemu.Internal;

/// <summary>
/// The JSON Hangar exchanges with QEMU (QMP commands) and qemu-img (<c>info --output=json</c>), generated at compile
/// time. System.Text.Json's default settings: the names are QEMU's own, given on each property.
/// </summary>
[JsonSerializable(typeof(QmpRequest))]
[JsonSerializable(typeof(QemuImgInfoJson))]
internal sealed partial class QemuJsonContext : JsonSerializerContext;
