namespace Hangar.Qemu;

/// <summary>Settings of a <see cref="QemuInstance"/>; the one place that holds their defaults.</summary>
public sealed record QemuInstanceOptions
{
    public static QemuInstanceOptions Default { get; } = new();

    /// <summary>How long to keep trying to open the QMP session. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long QEMU may take to exit after a guest shutdown or <c>quit</c> before it is killed. Default 3 s.</summary>
    public TimeSpan ExitGrace { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How often to look whether the process is gone once QMP has closed. Default 10 ms.</summary>
    public TimeSpan ExitPollInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    public QmpClientOptions Qmp { get; init; } = QmpClientOptions.Default;
}
