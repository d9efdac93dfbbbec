using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

internal sealed partial class ReplicaImages
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Fetched image sha256:{Sha256} ({Bytes} bytes) from replica {Replica}")]
        public static partial void Fetched(ILogger logger, string sha256, string replica, long bytes);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch image sha256:{Sha256} from {Why}")]
        public static partial void FetchFailed(ILogger logger, string sha256, string why);
    }
}
