using Hangar.State.Replication;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

internal sealed partial class ReplicaSync
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reload {Kind} after another replica changed it: {Reason}")]
        public static partial void ReloadFailed(ILogger logger, StoreChangeKind kind, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The change feed's database session was lost ({Reason}); reconnecting, then reloading everything")]
        public static partial void FeedLost(ILogger logger, string reason);
    }
}
