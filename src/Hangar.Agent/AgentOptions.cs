namespace Hangar.Agent;

/// <summary>Everything an agent is configured with. The one place for the agent's defaults.</summary>
/// <param name="Name">The agent's name in the control plane (defaults to the host name).</param>
/// <param name="StateDirectory">Durable state: images, VM disks and serial logs, the last desired state.</param>
/// <param name="RuntimeDirectory">Sockets, pid files and runtime records; short, because of the 108-byte socket path limit.</param>
/// <param name="Accelerator">kvm, tcg or auto.</param>
/// <param name="GracefulStopTimeout">How long a guest gets to power off after an ACPI power-button press.</param>
/// <param name="RestartBackoff">Delay before restarting a VM that exited on its own (or failed its health check).</param>
public sealed record AgentOptions(
    string Name,
    string StateDirectory,
    string RuntimeDirectory,
    AcceleratorSetting Accelerator,
    TimeSpan GracefulStopTimeout,
    Backoff RestartBackoff)
{
    public static readonly TimeSpan DefaultGracefulStopTimeout = TimeSpan.FromSeconds(30);

    /// <summary>VM restarts: 1 s doubling up to 1 min, ±20 %; the count resets after 2 minutes of running.</summary>
    public static readonly Backoff DefaultRestartBackoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 0.2, TimeSpan.FromMinutes(2));

    /// <summary>
    /// Reconnecting to the control plane: 0.5 s doubling up to 30 s, ±20 %; the count resets as soon as a handshake
    /// succeeds.
    /// </summary>
    public static readonly Backoff DefaultReconnectBackoff = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), 0.2, TimeSpan.Zero);

    /// <summary>Delay before reconnecting to the control plane after a failed or closed session.</summary>
    public Backoff ReconnectBackoff { get; init; } = DefaultReconnectBackoff;

    /// <summary>The control plane's certificate, pinned by fingerprint (<c>--server-fingerprint</c>); null to trust the
    /// system's certificate authorities (or for plain ws:// on loopback).</summary>
    public Hangar.Protocol.Tls.CertificatePin? ServerPin { get; init; }

    /// <summary>
    /// Whether <see cref="BlobsDirectory"/> is also the control plane's image store (the local agent of
    /// <c>hangar server</c>): then the server's <c>hangar gc</c> collects it, and the agent leaves it alone (an image
    /// just uploaded for an apply is named by no desired state yet).
    /// </summary>
    public bool SharesImageStore { get; init; }

    /// <summary>The user ids this agent's QEMUs drop to, one per VM (<see cref="Confinement.QemuUserRange"/>); null: QEMU
    /// stays the agent's user. By default a range as root, none otherwise.</summary>
    public Confinement.QemuUserRange? QemuUsers { get; init; } = Confinement.QemuUserRange.ForThisProcess();

    /// <summary>Which VM has which id of <see cref="QemuUsers"/>.</summary>
    public string QemuUserIdsPath => Path.Combine(StateDirectory, "agent", "qemu-uids.json");

    /// <summary>The clock of health checks and restart backoff; tests give a fake one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public string ImagesDirectory => Path.Combine(StateDirectory, "images");

    /// <summary>
    /// The content-addressed image cache (<c>blobs/sha256/&lt;digest&gt;</c>, the layout of an OCI image store): every
    /// declared image this host fetched, verified. On one machine the control plane's image store is this same directory.
    /// </summary>
    public string BlobsDirectory => Path.Combine(StateDirectory, "blobs", "sha256");
    public string VmsDirectory => Path.Combine(StateDirectory, "vms");
    public string DesiredStatePath => Path.Combine(StateDirectory, "agent", "desired.json");

    /// <summary>
    /// Options for an agent keeping its state under <paramref name="home"/>. The runtime directory is a subdirectory of
    /// <paramref name="runtimeRoot"/> named by a hash of the home path, so that two Hangar homes never share sockets and
    /// the paths stay short (and an agent given the root it used to choose itself finds its VMs' sockets again).
    /// </summary>
    /// <param name="runtimeRoot">Where runtime directories go (<c>--runtime-dir</c>); null for <see cref="RuntimeRoot"/>'s choice.</param>
    public static AgentOptions ForHome(string home, string? name = null, AcceleratorSetting accelerator = AcceleratorSetting.Auto, string? runtimeRoot = null)
    {
        home = Path.GetFullPath(home);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(home)))[..10];
        return new AgentOptions(
            name ?? Environment.MachineName.ToLowerInvariant(),
            home,
            Path.Combine(runtimeRoot ?? RuntimeRoot(), hash),
            accelerator,
            DefaultGracefulStopTimeout,
            DefaultRestartBackoff);
    }

    /// <summary>
    /// Where runtime directories go: <c>/run/hangar</c> for root, and where it is writable (a systemd unit's
    /// <c>RuntimeDirectory=hangar</c> under <c>ProtectSystem=strict</c>); for anyone else <c>$XDG_RUNTIME_DIR/hangar</c>
    /// (the user's own tmpfs, as for every per-user service); without one, <c>$TMPDIR/hangar-run-USER</c>, made 0700 and
    /// refused when it is someone else's (its sockets control the VMs).
    /// </summary>
    private static string RuntimeRoot()
    {
        if (IsWritable("/run/hangar") || (Directory.Exists("/run") && IsWritable("/run"))) return "/run/hangar";
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg && Path.IsPathFullyQualified(xdg) && IsWritable(xdg))
            return Path.Combine(xdg, "hangar");
        var own = Path.Combine(Path.GetTempPath(), $"hangar-run-{Environment.UserName}");
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        try
        {
            Directory.CreateDirectory(own, OwnerOnly);
            // Only its owner may change a directory's mode: this fails for one another user made first.
            File.SetUnixFileMode(own, OwnerOnly);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidOperationException($"The runtime directory {own} belongs to another user; delete it, or set XDG_RUNTIME_DIR to a directory of your own.", e);
        }
        return own;
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
