using Microsoft.Extensions.Logging;

namespace Hangar.Agent.Vms;

public sealed partial class VmSupervisor
{
    private static partial class Log
    {
        // Event ids 7, 8, 11 and 12 are VmRun's (stops and online resizes), on the same logger.
        [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Supervisor of VM {Vm} failed")]
        public static partial void SupervisorFailed(ILogger logger, string vm, Exception exception);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "VM {Vm}: killed an unrecorded QEMU (pid {Pid}) left by an interrupted start")]
        public static partial void KilledUnrecordedQemu(ILogger logger, string vm, int pid);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Adopted VM {Vm} (pid {Pid})")]
        public static partial void Adopted(ILogger logger, string vm, int pid);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "VM {Vm} (pid {Pid}) could not be adopted; killing it")]
        public static partial void AdoptionFailed(ILogger logger, string vm, int pid, Exception exception);

        [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "VM {Vm}: {Disk}")]
        public static partial void DiskPrepared(ILogger logger, string vm, string disk);

        [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "VM {Vm} failed to start")]
        public static partial void StartFailed(ILogger logger, string vm, Exception exception);

        [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "VM {Vm} is unhealthy ({Why}); not restarted, its restart policy is never")]
        public static partial void UnhealthyNotRestarted(ILogger logger, string vm, string why);

        [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "VM {Vm} is unhealthy ({Why}); restarting it")]
        public static partial void UnhealthyRestarting(ILogger logger, string vm, string why);

        [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "VM {Vm}: {What}")]
        public static partial void Exited(ILogger logger, string vm, string what);

        [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Could not delete the files of VM {Vm}")]
        public static partial void FilesNotDeleted(ILogger logger, string vm, Exception exception);
    }
}
