using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Agents;

internal sealed partial class AgentEndpoint
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Agent {Agent} reported {Code}: {Message}")]
        public static partial void AgentError(ILogger logger, string agent, string code, string message);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Agent connection ended: {Message}")]
        public static partial void ConnectionEnded(ILogger logger, string message);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Agent {Agent} said hello as {Claimed}; it is known by its credential as {Agent}")]
        public static partial void NameIgnored(ILogger logger, string agent, string claimed);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Agent {Agent} sent nothing for {Silence}; closing its connection, it is offline")]
        public static partial void Silent(ILogger logger, string agent, TimeSpan silence);

        [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Agent {Agent} asked for a snapshot of its desired state (it has revision {Revision}): {Reason}")]
        public static partial void Resync(ILogger logger, string agent, long revision, string reason);
    }
}
