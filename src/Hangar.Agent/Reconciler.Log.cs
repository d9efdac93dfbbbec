using Microsoft.Extensions.Logging;

namespace Hangar.Agent;

public sealed partial class Reconciler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Resuming desired state of generation {Generation} ({Count} VMs)")]
        public static partial void Resuming(ILogger logger, long generation, int count);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Could not delete the unused disk {File}")]
        public static partial void UnusedDiskNotDeleted(ILogger logger, string file, Exception exception);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Deleted {Count} unused disk files ({Bytes} bytes): {Files}")]
        public static partial void UnusedDisksDeleted(ILogger logger, int count, long bytes, string files);

        [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Deleted the unused cached image {File} ({Bytes} bytes)")]
        public static partial void UnusedImageDeleted(ILogger logger, string file, long bytes);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Found an orphan QEMU {Vm} (pid {Pid}) that the desired state does not name; {Action}")]
        public static partial void OrphanFound(ILogger logger, string vm, int pid, string action);

        [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Orphan {Vm} did not stop cleanly; killing it")]
        public static partial void OrphanStopNotClean(ILogger logger, string vm, Exception exception);

        [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "The desired state in {Path} is unreadable; waiting for the control plane")]
        public static partial void DesiredStateUnreadable(ILogger logger, string path, Exception exception);
    }
}
