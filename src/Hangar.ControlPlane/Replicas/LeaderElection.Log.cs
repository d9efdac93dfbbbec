using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

internal sealed partial class LeaderElection
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Replica {Replica} leads the control planes: it runs rollouts, health gates and placement")]
        public static partial void Leading(ILogger logger, string replica);

        [LoggerMessage(Level = LogLevel.Information, Message = "Replica {Replica} follows; the leader is {Leader}")]
        public static partial void Following(ILogger logger, string replica, string leader);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {Replica} stopped leading: {Reason}")]
        public static partial void Lost(ILogger logger, string replica, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election: {Reason}; trying again")]
        public static partial void ElectionFailed(ILogger logger, string reason);
    }
}
