using Hangar.Protocol.Agent;
using Microsoft.Extensions.Logging;

namespace Hangar.Agent.Connection;

public sealed partial class VmStreamServer
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Serving the {Kind} of VM {Vm} (stream {Stream})")]
        public static partial void StreamOpened(ILogger logger, StreamKind kind, string vm, string stream);

        [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "The {Kind} of VM {Vm} (stream {Stream}) ended: {Message}")]
        public static partial void StreamEnded(ILogger logger, StreamKind kind, string vm, string stream, string message);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Ran {Program} in VM {Vm} through its guest agent: exit code {ExitCode}")]
        public static partial void Exec(ILogger logger, string vm, string program, int exitCode);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Set the balloon target of VM {Vm} to {Target} bytes; the guest has {Actual} now")]
        public static partial void Balloon(ILogger logger, string vm, long target, long actual);
    }
}
