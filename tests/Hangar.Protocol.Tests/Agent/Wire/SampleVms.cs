using Hangar.Protocol.Agent;
using Hangar.Spec;

namespace Hangar.Protocol.Tests.Agent.Wire;

/// <summary>Desired VMs that together use every field, health kind, restart policy, protocol and disk format.</summary>
internal static class SampleVms
{
    public static readonly ImageSpec Debian = new("debian", "/home/me/lab/images/debian-12.raw", new string('a', 64), DiskFormat.Raw);

    public static readonly VmSpec SerialHealth = new("web", "tiny", 1, ByteSize.FromMiB(128), null, null,
        new ValueList<PortForward>([new PortForward(8081, 80, PortProtocol.Tcp)]), true, RestartPolicy.Always,
        new HealthCheckSpec("hangar-tiny: ready", null, TimeSpan.FromSeconds(120)));

    public static readonly VmSpec HttpHealth = new("api", "debian", 2, ByteSize.FromMiB(512), ByteSize.FromMiB(4096), "console=ttyS0",
        new ValueList<PortForward>([new PortForward(8080, 80, PortProtocol.Tcp), new PortForward(5353, 53, PortProtocol.Udp)]), false, RestartPolicy.OnFailure,
        new HealthCheckSpec(null, null, TimeSpan.FromSeconds(90))
        {
            Http = new HttpHealthCheck(80, "/healthz", new ValueList<HttpStatusRange>([new HttpStatusRange(200, 299), new HttpStatusRange(304, 304)])),
            Interval = TimeSpan.FromSeconds(5),
            Failures = 2,
            Restart = true,
        });

    public static readonly VmSpec TcpHealth = new("db", "debian", 2, ByteSize.FromMiB(2048), null, null,
        new ValueList<PortForward>([new PortForward(5432, 5432, PortProtocol.Tcp)]), true, RestartPolicy.Never,
        new HealthCheckSpec(null, 5432, TimeSpan.FromSeconds(60)));

    public static readonly VmSpec ExecHealth = new("svc", "debian-12", 1, ByteSize.FromMiB(1024), null, null,
        new ValueList<PortForward>([]), true, RestartPolicy.Always,
        new HealthCheckSpec(null, null, TimeSpan.FromMinutes(5))
        {
            Exec = new ValueList<string>(["/usr/bin/systemctl", "is-active", "--quiet", "nginx"]),
            Interval = TimeSpan.FromSeconds(30),
            Restart = true,
        });

    public static readonly VmSpec NoHealth = new("batch", "tiny", 4, ByteSize.FromMiB(256), ByteSize.FromMiB(1024), "quiet",
        new ValueList<PortForward>([]), true, RestartPolicy.Always, null);

    /// <summary>A debian-12 VM with every guest field set (protocol version 4).</summary>
    public static readonly VmSpec WithGuest = new VmSpec("deb1", "debian-12", 1, ByteSize.FromMiB(1024), null, null,
        new ValueList<PortForward>([new PortForward(2223, 22, PortProtocol.Tcp)]), true, RestartPolicy.Always, null)
    {
        Guest = new GuestSpec("web-1",
            new ValueList<GuestUser>([new GuestUser("ops", new ValueList<string>(["ssh-ed25519 AAAA ops@laptop"]), true), new GuestUser("app", ValueList<string>.Empty, false)]),
            "$6$salt$hash", new ValueList<string>(["curl"]),
            new ValueList<GuestFile>([new GuestFile("/etc/motd", "hello\n", "0644"), new GuestFile("/etc/empty", "", null)]),
            new ValueList<string>(["touch /tmp/done"]), "Europe/Paris"),
        SshPort = 2223,
    };

    /// <summary>The desired VMs of <c>desired-v1-before-wire-types.json</c>, which the code before the wire types wrote.</summary>
    public static IReadOnlyList<DesiredVm> OfLegacyFixture() =>
    [
        new DesiredVm(SerialHealth, null, true, 2),
        new DesiredVm(HttpHealth, Debian, false, 0),
        new DesiredVm(TcpHealth, Debian, true, 1),
    ];

    /// <summary>A URL image, as agents download it themselves.</summary>
    public static readonly ImageSpec FromUrl = new("cloud", null, new string('b', 64), DiskFormat.Qcow2, null, "https://images.example.org/cloud.qcow2");

    /// <summary>A desired VM as an agent gets it: a file image without its path (a file on the CLI's machine).</summary>
    public static DesiredVm AsTheAgentGetsIt(DesiredVm vm) => vm with { Image = vm.Image is null ? null : vm.Image with { Path = null } };

    public static IEnumerable<DesiredVm> All() =>
    [
        .. OfLegacyFixture(),
        new DesiredVm(TcpHealth with { Name = "db3", Image = "cloud" }, FromUrl, true, 0),
        new DesiredVm(TcpHealth with { Name = "db4" }, Debian, true, 0, ImageBytes: 123_456_789),
        new DesiredVm(NoHealth, null, false, 7),
        new DesiredVm(ExecHealth, null, true, 0),
        new DesiredVm(WithGuest, null, true, 0),
        new DesiredVm(NoHealth with
        {
            Name = "creds",
            Credentials = new ValueList<CredentialSpec>([
                new CredentialSpec("HOST-CA", CredentialKind.File, "/etc/ssl/ca.pem"),
                new CredentialSpec("api-key", CredentialKind.Secret, "api-key") { Ciphertext = "YWdlLWVuY3J5cHRpb24ub3JnL3Yx" },
                new CredentialSpec("db-password", CredentialKind.Secret, "db-password") { Ciphertext = "YWdlLWVuY3J5cHRpb24ub3JnL3Yx", DecryptInGuest = true },
                new CredentialSpec("motd", CredentialKind.Value, "hello, there"),
            ]),
            VncPort = 5901,
            Volumes = new ValueList<VolumeSpec>([new VolumeSpec("data", ByteSize.FromMiB(1024), DiskFormat.Qcow2), new VolumeSpec("logs", ByteSize.FromMiB(8), DiskFormat.Raw)]),
            Identity = new VmIdentity("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB+D1tafNZMN4G2HBMseYgEYLXrJ/bwZkv3SzPAllTnN") { Ciphertext = "YWdlLWVuY3J5cHRpb24ub3JnL3Yx" },
        }, null, true, 0),
        new DesiredVm(NoHealth with
        {
            Name = "nets",
            Interfaces = new ValueList<NetworkInterfaceSpec>([
                new NetworkInterfaceSpec(InterfaceType.User, null, "52:54:00:aa:bb:01", null),
                new NetworkInterfaceSpec(InterfaceType.Bridge, "hgbr0", "52:54:00:aa:bb:02", "10.0.0.2/24"),
                new NetworkInterfaceSpec(InterfaceType.Bridge, "br-lan", "02:00:00:00:00:01", null),
            ]),
            VsockCid = 42,
        }, null, true, 0),
        new DesiredVm(TcpHealth with { Name = "db2" }, Debian with { Format = DiskFormat.Qcow2, Path = "/srv/images/db.qcow2" }, true, 0),
    ];
}
