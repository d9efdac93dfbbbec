using Microsoft.Extensions.Logging;

namespace Hangar.Server.Logging;

/// <summary>
/// The seven levels of <c>--log-level</c> against .NET's six, in one place:
/// <code>
///  --log-level   .NET LogLevel                         syslog priority (journald)
///  trace         Trace                                 7 debug
///  debug         Debug                                 7 debug
///  info          Information                           6 info
///  notice        Information with EventName "Notice"   5 notice
///  warning       Warning                               4 warning
///  error         Error                                 3 err
///  critical      Critical                              2 crit
/// </code>
/// A notice is an information event a daemon's operator wants even when routine information is off: the fleet's
/// events (a VM started, crashed, turned unhealthy; a generation committed; an agent joined), the server listening
/// and stopping. Its <c>[LoggerMessage]</c> (or <see cref="EventId"/>) carries the name <see cref="NoticeEventName"/>.
/// <c>--log-level notice</c> keeps those and everything from warning up.
/// </summary>
public static class DaemonLogLevels
{
    /// <summary>The <see cref="EventId.Name"/> that makes an information event a notice.</summary>
    public const string NoticeEventName = "Notice";

    /// <summary>The accepted values of <c>--log-level</c>, least severe first.</summary>
    public static IReadOnlyList<string> Names => NameArray;

    private static readonly string[] NameArray = ["trace", "debug", "info", "notice", "warning", "error", "critical"];

    /// <summary>The level named <paramref name="text"/> (any case); an unknown one is an error naming the accepted values.</summary>
    /// <param name="source">Where the value came from (<c>--log-level</c>, <c>HANGAR_LOG_LEVEL</c>, a file's line), for the message.</param>
    public static DaemonLogLevel Parse(string text, string source = "--log-level")
    {
        var index = Array.IndexOf(NameArray, text.Trim().ToLowerInvariant());
        if (index < 0)
            throw new InvalidOperationException($"{source}: '{text}' is not a log level; use {string.Join(", ", Names.Take(Names.Count - 1))} or {Names[^1]}.");
        return (DaemonLogLevel)index;
    }

    public static string Name(DaemonLogLevel level) => Names[(int)level];

    /// <summary>The least .NET level that can pass <paramref name="level"/> (notices are information events).</summary>
    public static LogLevel Minimum(DaemonLogLevel level) => level switch
    {
        DaemonLogLevel.Trace => LogLevel.Trace,
        DaemonLogLevel.Debug => LogLevel.Debug,
        DaemonLogLevel.Info or DaemonLogLevel.Notice => LogLevel.Information,
        DaemonLogLevel.Warning => LogLevel.Warning,
        DaemonLogLevel.Error => LogLevel.Error,
        _ => LogLevel.Critical,
    };

    public static bool IsNotice(LogLevel level, EventId eventId) =>
        level == LogLevel.Information && string.Equals(eventId.Name, NoticeEventName, StringComparison.Ordinal);

    /// <summary>The level of one .NET event in the daemon's terms.</summary>
    public static DaemonLogLevel Of(LogLevel level, EventId eventId) => level switch
    {
        LogLevel.Trace => DaemonLogLevel.Trace,
        LogLevel.Debug => DaemonLogLevel.Debug,
        LogLevel.Information => IsNotice(level, eventId) ? DaemonLogLevel.Notice : DaemonLogLevel.Info,
        LogLevel.Warning => DaemonLogLevel.Warning,
        LogLevel.Error => DaemonLogLevel.Error,
        _ => DaemonLogLevel.Critical,
    };

    /// <summary>The syslog priority journald stores for <paramref name="level"/> (sd-daemon(3)'s <c>&lt;N&gt;</c> prefix).</summary>
    public static int SyslogPriority(DaemonLogLevel level) => level switch
    {
        DaemonLogLevel.Trace or DaemonLogLevel.Debug => 7,
        DaemonLogLevel.Info => 6,
        DaemonLogLevel.Notice => 5,
        DaemonLogLevel.Warning => 4,
        DaemonLogLevel.Error => 3,
        _ => 2,
    };
}
