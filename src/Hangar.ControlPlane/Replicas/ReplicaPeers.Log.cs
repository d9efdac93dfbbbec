using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

internal sealed partial class ReplicaPeers
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Replica {Replica} recorded its address {Url} for the other replicas")]
        public static partial void Registered(ILogger logger, string replica, Uri url);
    }
}
