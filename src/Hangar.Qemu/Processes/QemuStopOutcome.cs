namespace Hangar.Qemu;

/// <summary>How <see cref="QemuInstance.StopAsync"/> ended the VM.</summary>
public enum QemuStopOutcome
{
    /// <summary>The guest shut down after the ACPI power button, within the graceful timeout.</summary>
    Graceful,

    /// <summary>The guest did not shut down in time; QMP <c>quit</c> ended QEMU.</summary>
    Quit,

    /// <summary>QEMU did not exit after <c>quit</c> (or QMP was unusable); it was killed with SIGKILL.</summary>
    Killed,

    /// <summary>QEMU had already exited, or exited by itself without a guest shutdown, before it was asked to quit.</summary>
    AlreadyExited,
}
