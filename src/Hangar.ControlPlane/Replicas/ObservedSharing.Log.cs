using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

internal sealed partial class ObservedSharing
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not share agent {Agent}'s report with the other replicas: {Reason}")]
        public static partial void WriteFailed(ILogger logger, string agent, string reason);
    }
}
