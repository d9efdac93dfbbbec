namespace Hangar.Spec;

/// <summary>
/// Every default of the fleet file, in one place. The parser fills them in, the JSON Schema and the docs show them;
/// none of them is written anywhere else.
/// </summary>
public static class SpecDefaults
{
    public const int Vcpu = 1;
    public static readonly ByteSize Memory = ByteSize.FromMiB(256);
    public const bool Autostart = true;
    public const RestartPolicy Restart = RestartPolicy.Always;
    public const DiskFormat ImageFormat = DiskFormat.Qcow2;
    public const PortProtocol ForwardProtocol = PortProtocol.Tcp;
    public static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(120);
    public static readonly TimeSpan HealthInterval = TimeSpan.FromSeconds(10);
    public const int HealthFailures = 3;
    public const bool HealthRestart = false;
    public const string HttpPath = "/";
    public static readonly ValueList<HttpStatusRange> HttpStatus = new([new HttpStatusRange(200, 399)]);
    public const OrphanPolicy Orphans = OrphanPolicy.Stop;
    public const bool Movable = false;

    /// <summary>Automatic SSH host ports (one per VM with a cloud-init guest), as in seed 001's port table.</summary>
    public static readonly PortRange SshPorts = new(2223, 2322);

    /// <summary>Automatic VNC host ports (one per VM with <c>display: vnc</c>), from 5900 as in seed 001's port table.</summary>
    public static readonly PortRange VncPorts = new(5900, 5999);

    /// <summary>The guest port sshd listens on; the automatic SSH forward goes there.</summary>
    public const int SshGuestPort = 22;

    /// <summary>The health check of a <c>debian-12</c> VM that declares none: sshd accepts (its first boot under TCG
    /// takes a minute or more, so the timeout is longer than the usual default).</summary>
    public static readonly HealthCheckSpec Debian12Health = new(null, SshGuestPort, TimeSpan.FromMinutes(5));

    /// <summary>The health check of a VM that uses the built-in <c>tiny</c> image and declares none.</summary>
    public static readonly HealthCheckSpec TinyHealth = new(BuiltinImages.TinyReadyMarker, null, HealthTimeout);
}
