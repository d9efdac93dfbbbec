using Microsoft.Extensions.Logging;

namespace Hangar.Agent.Connection;

public sealed partial class AgentConnection
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Control plane {Url} unreachable: {Message}")]
        public static partial void Unreachable(ILogger logger, Uri url, string message);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Connected to control plane {Url}")]
        public static partial void Connected(ILogger logger, Uri url);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Control plane reported {Code}: {Message}")]
        public static partial void ControlPlaneError(ILogger logger, string code, string message);

        [LoggerMessage(EventId = 4, Level = LogLevel.Critical, Message = "Control plane {Url} refused this agent; not retrying: {Message}")]
        public static partial void Refused(ILogger logger, Uri url, string message);

        [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Asking the control plane for a snapshot of the desired state (this agent has revision {Revision}): {Reason}")]
        public static partial void Resyncing(ILogger logger, long revision, string reason);
    }
}
