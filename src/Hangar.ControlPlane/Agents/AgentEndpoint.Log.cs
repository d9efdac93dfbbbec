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
    }
}
