namespace Hangar.Qemu;

/// <summary>
/// Where one QEMU keeps its runtime files. Everything but the serial log lives in <see cref="Directory"/>,
/// which the launcher creates with mode 0700. Unix socket paths must stay under 108 bytes.
/// </summary>
/// <param name="Directory">The VM's runtime directory, e.g. <c>/run/hangar/web</c>.</param>
/// <param name="QmpSocket">The QMP control socket.</param>
/// <param name="ConsoleSocket">The serial console socket for interactive attach.</param>
/// <param name="SerialLog">A file that receives everything the serial console prints (appended).</param>
/// <param name="PidFile">Where QEMU writes its pid as it starts.</param>
public sealed record QemuRuntimePaths(
    string Directory,
    string QmpSocket,
    string ConsoleSocket,
    string SerialLog,
    string PidFile)
{
    /// <summary>
    /// The unix socket of the guest agent's virtio-serial channel (<c>org.qemu.guest_agent.0</c>); null: the VM gets no
    /// such channel. <see cref="For"/> sets it.
    /// </summary>
    public string? GuestAgentSocket { get; init; }

    /// <summary>The conventional layout: <c>qmp.sock</c>, <c>console.sock</c>, <c>qga.sock</c> and <c>qemu.pid</c> in <paramref name="runtimeDirectory"/>.</summary>
    public static QemuRuntimePaths For(string runtimeDirectory, string serialLogPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(runtimeDirectory);
        ArgumentException.ThrowIfNullOrEmpty(serialLogPath);
        return new QemuRuntimePaths(
            runtimeDirectory,
            Path.Combine(runtimeDirectory, "qmp.sock"),
            Path.Combine(runtimeDirectory, "console.sock"),
            serialLogPath,
            Path.Combine(runtimeDirectory, "qemu.pid"))
        {
            GuestAgentSocket = Path.Combine(runtimeDirectory, "qga.sock"),
        };
    }
}
