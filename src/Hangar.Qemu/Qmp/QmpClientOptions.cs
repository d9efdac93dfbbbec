namespace Hangar.Qemu;

/// <summary>Settings of a <see cref="QmpClient"/>; the one place that holds their defaults.</summary>
public sealed record QmpClientOptions
{
    public static QmpClientOptions Default { get; } = new();

    /// <summary>How long a command may wait for its reply when the caller gives no timeout. Default 10 s.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often to retry while the socket does not exist yet or refuses. Default 20 ms.</summary>
    public TimeSpan ConnectRetryInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
