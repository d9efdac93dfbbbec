namespace Hangar.Agent;

/// <summary>Everything an agent is configured with. The one place for the agent's defaults.</summary>
/// <param name="Name">The agent's name in the control plane (defaults to the host name).</param>
/// <param name="StateDirectory">Durable state: images, VM disks and serial logs, the last desired state.</param>
/// <param name="RuntimeDirectory">Sockets, pid files and runtime records; short, because of the 108-byte socket path limit.</param>
/// <param name="Accelerator">kvm, tcg or auto.</param>
/// <param name="GracefulStopTimeout">How long a guest gets to power off after an ACPI power-button press.</param>
public sealed record AgentOptions(
    string Name,
    string StateDirectory,
    string RuntimeDirectory,
    AcceleratorSetting Accelerator,
    TimeSpan GracefulStopTimeout,
    RestartBackoff Backoff)
{
    public static readonly TimeSpan DefaultGracefulStopTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The clock of health checks and restart backoff; tests give a fake one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public string ImagesDirectory => Path.Combine(StateDirectory, "images");
    public string VmsDirectory => Path.Combine(StateDirectory, "vms");
    public string DesiredStatePath => Path.Combine(StateDirectory, "agent", "desired.json");

    /// <summary>
    /// Options for an agent keeping its state under <paramref name="home"/>. The runtime directory is derived from
    /// a hash of the home path, so that two Hangar homes never share sockets and the paths stay short.
    /// </summary>
    public static AgentOptions ForHome(string home, string? name = null, AcceleratorSetting accelerator = AcceleratorSetting.Auto)
    {
        home = Path.GetFullPath(home);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(home)))[..10];
        var runRoot = Directory.Exists("/run") && IsWritable("/run") ? "/run/hangar" : Path.Combine(Path.GetTempPath(), "hangar-run");
        return new AgentOptions(
            name ?? Environment.MachineName.ToLowerInvariant(),
            home,
            Path.Combine(runRoot, hash),
            accelerator,
            DefaultGracefulStopTimeout,
            RestartBackoff.Default);
    }

    private static bool IsWritable(string directory)
    {
        try
        {
            var probe = Path.Combine(directory, $".hangar-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>How the accelerator is chosen: <c>HANGAR_ACCEL=kvm|tcg|auto</c> or <c>--accel</c>.</summary>
public enum AcceleratorSetting { Auto, Kvm, Tcg }

/// <summary>
/// Delay before restarting a VM that exited on its own: <c>Initial × 2^(n-1)</c>, capped at <c>Max</c>, with ±<c>Jitter</c>
/// so that many VMs that crash together do not restart in lockstep. The count resets once a VM ran for <c>ResetAfter</c>.
/// </summary>
public sealed record RestartBackoff(TimeSpan Initial, TimeSpan Max, double Jitter, TimeSpan ResetAfter)
{
    public static RestartBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 0.2, TimeSpan.FromMinutes(2));

    /// <summary>The delay before restart number <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan DelayFor(int attempt, Random random)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var baseMs = Math.Min(Initial.TotalMilliseconds * Math.Pow(2, exponent), Max.TotalMilliseconds);
        var factor = 1 + Jitter * (random.NextDouble() * 2 - 1);
        return TimeSpan.FromMilliseconds(baseMs * factor);
    }
}
