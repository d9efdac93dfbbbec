using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

internal sealed partial class ReplicaForwarder
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Message}")]
        public static partial void ForwardFailed(ILogger logger, string message);

        [LoggerMessage(Level = LogLevel.Warning, Message = "hangar gc could not reach replica {Replica}: {Why}; its agents and image store were not collected")]
        public static partial void GcFailed(ILogger logger, string replica, string why);
    }
}
