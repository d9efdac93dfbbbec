namespace Hangar.Server.Logging;

/// <summary>
/// The levels of <c>--log-level</c>, syslog's seven from debug up (with trace below debug, as .NET has it). .NET's
/// <see cref="Microsoft.Extensions.Logging.LogLevel"/> has six; <see cref="Notice"/> is an information event marked
/// notable (<see cref="DaemonLogLevels.IsNotice"/>). The order is the order of severity.
/// </summary>
public enum DaemonLogLevel
{
    Trace,
    Debug,
    Info,
    Notice,
    Warning,
    Error,
    Critical,
}
