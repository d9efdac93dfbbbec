using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Fleet;

internal sealed partial class AgentDrain
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "The drain of agent {Agent} stopped on an error")]
        public static partial void DrainFailed(ILogger logger, string agent, Exception exception);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Could not write the drain of agent {Agent}")]
        public static partial void DrainNotSaved(ILogger logger, string agent, Exception exception);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The stored drain of agent {Agent} is unreadable; ignored")]
        public static partial void DrainUnreadable(ILogger logger, string agent, Exception exception);
    }
}
