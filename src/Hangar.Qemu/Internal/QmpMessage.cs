using System.Text.Json;

namespace Hangar.Qemu.Internal;

/// <summary>
/// Reads the three kinds of message a QMP server sends after its greeting: events, successful replies
/// (<c>return</c>) and error replies (<c>error</c>). Anything else is ignored by the caller.
/// </summary>
internal static class QmpMessage
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static QmpGreeting ParseGreeting(string line)
    {
        using var document = JsonDocument.Parse(line);
        var qmp = document.RootElement.GetProperty("QMP");
        var version = qmp.GetProperty("version");
        var qemu = version.GetProperty("qemu");
        var package = version.TryGetProperty("package", out var p) && p.ValueKind == JsonValueKind.String
            ? p.GetString()!
            : "";
        return new QmpGreeting(
            new QmpVersion(qemu.GetProperty("major").GetInt32(), qemu.GetProperty("minor").GetInt32(),
                qemu.GetProperty("micro").GetInt32()),
            package);
    }

    public static bool TryReadEvent(JsonElement message, out QmpEvent? qmpEvent)
    {
        qmpEvent = null;
        if (!message.TryGetProperty("event", out var name) || name.ValueKind != JsonValueKind.String) return false;

        var data = message.TryGetProperty("data", out var d) ? d.Clone() : EmptyObject;
        var timestamp = DateTimeOffset.UnixEpoch;
        if (message.TryGetProperty("timestamp", out var ts)
            && ts.TryGetProperty("seconds", out var seconds)
            && ts.TryGetProperty("microseconds", out var micros))
        {
            timestamp = DateTimeOffset.FromUnixTimeSeconds(seconds.GetInt64())
                .AddTicks(micros.GetInt64() * TimeSpan.TicksPerMicrosecond);
        }
        qmpEvent = new QmpEvent(name.GetString()!, data, timestamp);
        return true;
    }

    /// <summary>True for a reply; <paramref name="id"/> is null when the server sent none (it does so only for
    /// input it could not parse).</summary>
    public static bool IsReply(JsonElement message, out string? id)
    {
        id = message.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        return message.TryGetProperty("return", out _) || message.TryGetProperty("error", out _);
    }

    /// <summary>Completes a pending command with its reply's <c>return</c> value or <see cref="QmpCommandException"/>.</summary>
    public static void Complete(PendingQmpCommand pending, JsonElement reply)
    {
        if (reply.TryGetProperty("return", out var value))
        {
            pending.Reply.TrySetResult(value.Clone());
            return;
        }
        var error = reply.GetProperty("error");
        var errorClass = error.TryGetProperty("class", out var c) ? c.GetString() ?? "" : "";
        var description = error.TryGetProperty("desc", out var desc) ? desc.GetString() ?? "" : "";
        pending.Reply.TrySetException(new QmpCommandException(pending.Command, errorClass, description));
    }
}
