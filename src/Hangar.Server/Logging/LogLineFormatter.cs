using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Hangar.Server.Logging;

/// <summary>
/// Turns one log event into its line (pure). Three shapes:
/// <list type="bullet">
/// <item>text: <c>2026-12-04T21:49:22.123Z INFO Server: message</c>, an exception on the lines after it;</item>
/// <item>text for the journal (<paramref name="journal"/>): <c>&lt;6&gt;Server: message</c>, every line with the
/// priority prefix of sd-daemon(3) and no timestamp (journald keeps its own);</item>
/// <item>JSON: one object per line, <c>{"timestamp","level","category","eventId","eventName","message","properties",
/// "exception"}</c>, where <c>properties</c> are the named values of the message template (a <c>[LoggerMessage]</c>'s
/// parameters) and the template itself is <c>properties["{OriginalFormat}"]</c>'s text, written as <c>template</c>.</item>
/// </list>
/// </summary>
public sealed class LogLineFormatter(LogFormat format, bool journal)
{
    private const string OriginalFormat = "{OriginalFormat}";

    public LogFormat Format { get; } = format;

    /// <summary>Whether text lines carry journald's priority prefix instead of a timestamp.</summary>
    public bool Journal { get; } = journal;

    /// <param name="category">The logger's full category (text shows only its last part).</param>
    /// <param name="properties">The event's state when it is a list of named values (a message template's), else null.</param>
    public string Line(DateTimeOffset at, DaemonLogLevel level, string category, EventId eventId, string message,
        IReadOnlyList<KeyValuePair<string, object?>>? properties, Exception? exception) =>
        Format == LogFormat.Json ? JsonLine(at, level, category, eventId, message, properties, exception)
        : TextLine(at, level, category, message, exception);

    private string TextLine(DateTimeOffset at, DaemonLogLevel level, string category, string message, Exception? exception)
    {
        var shortCategory = category[(category.LastIndexOf('.') + 1)..];
        var text = new StringBuilder();
        if (Journal)
        {
            var prefix = $"<{DaemonLogLevels.SyslogPriority(level)}>";
            text.Append(prefix).Append(shortCategory).Append(": ");
            // journald splits a stream at newlines: each line of a message or an exception keeps the event's priority.
            AppendLines(text, message, prefix, first: true);
            if (exception is not null) AppendLines(text, exception.ToString(), prefix, first: false);
        }
        else
        {
            text.Append(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(' ')
                .Append(DaemonLogLevels.Name(level).ToUpperInvariant()).Append(' ').Append(shortCategory).Append(": ").Append(message);
            if (exception is not null) text.Append('\n').Append(exception);
        }
        return text.ToString();
    }

    private static void AppendLines(StringBuilder text, string value, string prefix, bool first)
    {
        foreach (var line in value.ReplaceLineEndings("\n").Split('\n'))
        {
            if (!first) text.Append('\n').Append(prefix);
            text.Append(line);
            first = false;
        }
    }

    private static string JsonLine(DateTimeOffset at, DaemonLogLevel level, string category, EventId eventId, string message,
        IReadOnlyList<KeyValuePair<string, object?>>? properties, Exception? exception)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", at.ToUniversalTime());
            json.WriteString("level", DaemonLogLevels.Name(level));
            json.WriteString("category", category);
            json.WriteNumber("eventId", eventId.Id);
            if (eventId.Name is { } name) json.WriteString("eventName", name);
            json.WriteString("message", message);
            if (properties is not null)
            {
                string? template = null;
                var named = false;
                foreach (var (key, value) in properties)
                {
                    if (key == OriginalFormat)
                    {
                        template = value as string;
                        continue;
                    }
                    if (!named)
                    {
                        json.WriteStartObject("properties");
                        named = true;
                    }
                    json.WritePropertyName(key);
                    WriteValue(json, value);
                }
                if (named) json.WriteEndObject();
                if (template is not null) json.WriteString("template", template);
            }
            if (exception is not null)
            {
                json.WriteStartObject("exception");
                json.WriteString("type", exception.GetType().FullName);
                json.WriteString("message", exception.Message);
                json.WriteString("text", exception.ToString());
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Numbers, booleans and times as JSON's own; anything else as its invariant text (no reflection).</summary>
    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case string s: json.WriteStringValue(s); break;
            case bool b: json.WriteBooleanValue(b); break;
            case int i: json.WriteNumberValue(i); break;
            case long l: json.WriteNumberValue(l); break;
            case uint u: json.WriteNumberValue(u); break;
            case ulong ul: json.WriteNumberValue(ul); break;
            case short sh: json.WriteNumberValue(sh); break;
            case byte by: json.WriteNumberValue(by); break;
            case double d when double.IsFinite(d): json.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): json.WriteNumberValue(f); break;
            case decimal m: json.WriteNumberValue(m); break;
            case DateTimeOffset dto: json.WriteStringValue(dto); break;
            case DateTime dt: json.WriteStringValue(dt); break;
            case TimeSpan ts: json.WriteStringValue(ts.ToString("c", CultureInfo.InvariantCulture)); break;
            case Enum e: json.WriteStringValue(e.ToString()); break;
            case IFormattable formattable: json.WriteStringValue(formattable.ToString(null, CultureInfo.InvariantCulture)); break;
            case System.Collections.IEnumerable list:
                json.WriteStartArray();
                foreach (var item in list) WriteValue(json, item);
                json.WriteEndArray();
                break;
            default: json.WriteStringValue(value.ToString()); break;
        }
    }
}
