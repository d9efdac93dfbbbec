using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Fleet;

internal sealed partial class AgentDrain
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "The drain of agent {Agent} stopped on an error")]
        public static partial void DrainFailed(ILogger logger, string agent, Exception exception);
    }
}
