using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Fleet;

internal sealed partial class EventJournal
{
    private static partial class Log
    {
        // A notice (hangard --log-level notice keeps it): the fleet's events are what an operator reads the log for.
        [LoggerMessage(EventId = 1, EventName = "Notice", Level = LogLevel.Information, Message = "{Kind} {Vm}: {Message}")]
        public static partial void Event(ILogger logger, string kind, string vm, string message);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Could not record an event")]
        public static partial void NotRecorded(ILogger logger, Exception exception);
    }
}
