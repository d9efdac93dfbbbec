using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Fleet;

internal sealed partial class DesiredStateDelivery
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Could not send desired state to agent {Agent}: {Message}")]
        public static partial void SendFailed(ILogger logger, string agent, string message);
    }
}
