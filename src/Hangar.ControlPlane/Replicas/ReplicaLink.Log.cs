using Hangar.State.Replication;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

internal sealed partial class ReplicaLink
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the other control planes about a change ({Kind}): {Reason}; they read it at their next reload")]
        public static partial void PublishFailed(ILogger logger, StoreChangeKind kind, string reason);
    }
}
