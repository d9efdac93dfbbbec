namespace Hangar.Qemu.Tests.CommandLine;

/// <summary>
/// Golden-text tests: each builds a command line and compares it, one argument per line, with a file under
/// Golden/. Set HANGAR_UPDATE_GOLDEN=1 to rewrite the files after an intended change, then review the diff.
/// </summary>
public sealed class QemuCommandLineTests
{
    private static readonly QemuVmConfig Minimal = CommandLineGolden.Minimal;

    [Fact]
    public void Build_MinimalTcgVm_MatchesGolden() => AssertGolden("minimal-tcg", Minimal);

    [Fact]
    public void Build_Kvm_UsesKvmAcceleratorAndHostCpu() =>
        AssertGolden("kvm", Minimal with { Accelerator = QemuAccelerator.Kvm, Vcpu = 4, MemoryMiB = 2048 });

    [Fact]
    public void Build_KernelBoot_AddsKernelInitrdAndAppendVerbatim() =>
        AssertGolden("kernel-boot", Minimal with
        {
            Kernel = "/var/lib/hangar/images/tiny/vmlinuz",
            Initrd = "/var/lib/hangar/images/tiny/initrd.img",
            KernelCommandLine = "console=ttyS0 quiet hangar.marker=ready,now",
        });

    [Fact]
    public void Build_Drives_AddsDriveAndVirtioBlkDeviceEach() =>
        AssertGolden("drives", Minimal with
        {
            Drives =
            [
                new QemuDrive("/var/lib/hangar/vms/web/root.qcow2", "qcow2", "root"),
                new QemuDrive("/var/lib/hangar/vms/web/data.raw", "raw", "data"),
            ],
        });

    [Fact]
    public void Build_DiskImageWithSeed_BootsItsKernelFromTheDiskAndAttachesTheSeedReadOnly() =>
        AssertGolden("disk-kernel-seed", Minimal with
        {
            Kernel = "/var/lib/hangar/images/KEY/vmlinuz",
            Initrd = "/var/lib/hangar/images/KEY/initrd.img",
            KernelCommandLine = "console=ttyS0 root=/dev/vda rw panic=-1",
            Drives =
            [
                new QemuDrive("/var/lib/hangar/vms/deb1/disk.qcow2", "qcow2", "disk0"),
                new QemuDrive("/var/lib/hangar/vms/deb1/seed.iso", "raw", "seed", ReadOnly: true),
            ],
            Network = true,
        });

    [Fact]
    public void Build_TcpAndUdpForwards_AddsUserNetWithHostfwdAndVirtioNet() =>
        AssertGolden("forwards", Minimal with
        {
            Forwards =
            [
                new QemuPortForward("tcp", "127.0.0.1", 8080, 80),
                new QemuPortForward("udp", "127.0.0.1", 5353, 53),
            ],
        });

    [Fact]
    public void Build_NetworkWithoutForwards_AddsUserNetOnly() =>
        AssertGolden("network", Minimal with { Network = true });

    [Fact]
    public void Build_CommaInPaths_DoublesCommasInOptionValuesOnly() =>
        AssertGolden("comma-in-path", Minimal with
        {
            Name = "a,b",
            Paths = QemuRuntimePaths.For("/run/hangar/a,b", "/var/log/a,b/serial.log"),
            Kernel = "/images/k,1/vmlinuz",
            Drives = [new QemuDrive("/disks/x,y.qcow2", "qcow2", "root")],
        });

    [Fact]
    public void Build_Credentials_AddsFwCfgFilesAndSmbiosType11StringsWithCommasDoubled() =>
        AssertGolden("credentials", Minimal with
        {
            FwCfgFiles =
            [
                new QemuFwCfgFile("opt/io.systemd.credentials/api-key", "/dev/shm/hangar-credentials-0123/web/api-key"),
                new QemuFwCfgFile("opt/io.systemd.credentials/ca", "/etc/ssl/a,b.pem"),
            ],
            OemStrings = ["io.systemd.credential:motd=hello, world", "io.systemd.credential:x=1"],
        });

    [Fact]
    public void Build_DriveWithSerial_GivesTheGuestThatSerial() =>
        AssertGolden("volumes", Minimal with
        {
            Drives = [new QemuDrive("/var/lib/hangar/vms/db/volumes/data.qcow2", "qcow2", "vol-data", Serial: "data"),
                new QemuDrive("/var/lib/hangar/vms/db/volumes/logs.raw", "raw", "vol-logs", Serial: "logs")],
        });

    [Theory]
    [InlineData("")]
    [InlineData("a-serial-longer-than-20")]
    [InlineData("a,b")]
    public void Build_SerialVirtioCannotHold_ThrowsNamingIt(string serial)
    {
        var error = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(Minimal with { Drives = [new QemuDrive("/d.qcow2", "qcow2", "d", Serial: serial)] }));

        Assert.Contains($"Drives[0].Serial is '{serial}'", error.Message);
    }

    [Fact]
    public void Build_VncPort_AddsAVgaCardAndALoopbackVncDisplayNumberedFrom5900() =>
        AssertGolden("vnc", Minimal with { VncPort = 5907 });

    [Theory]
    [InlineData(5899)]
    [InlineData(65536)]
    public void Build_VncPortOutsideQemusDisplays_ThrowsNamingIt(int port)
    {
        var error = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(Minimal with { VncPort = port }));

        Assert.Contains($"VncPort is {port}", error.Message);
    }

    [Fact]
    public void Build_FwCfgNameOver55BytesOrOutsideOpt_ThrowsNamingIt()
    {
        var config = Minimal with
        {
            FwCfgFiles =
            [
                new QemuFwCfgFile("opt/io.systemd.credentials/" + new string('a', 29), "/x"),
                new QemuFwCfgFile("etc/e820", "/y"),
                new QemuFwCfgFile("opt/io.systemd.credentials/" + new string('b', 28), "/z"),
            ],
        };

        var error = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(config));

        Assert.Contains("FwCfgFiles[0].Name 'opt/io.systemd.credentials/aaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is 56 bytes; fw_cfg names hold at most 55.", error.Message);
        Assert.Contains("FwCfgFiles[1].Name is 'etc/e820'; it must start with 'opt/'", error.Message);
        Assert.DoesNotContain("FwCfgFiles[2]", error.Message);
    }

    [Fact]
    public void Build_InvalidConfig_ThrowsArgumentExceptionListingEveryProblem()
    {
        var config = Minimal with
        {
            Vcpu = 0,
            Initrd = "/initrd",
            Drives = [new QemuDrive("/d", "vmdk", "1bad")],
            Forwards = [new QemuPortForward("sctp", "127.0.0.1", 70000, 80)],
        };

        var error = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(config));

        Assert.Contains("Vcpu", error.Message);
        Assert.Contains("Initrd", error.Message);
        Assert.Contains("Drives[0].Format", error.Message);
        Assert.Contains("Drives[0].Id", error.Message);
        Assert.Contains("Forwards[0].Protocol", error.Message);
        Assert.Contains("Forwards[0].HostPort", error.Message);
    }

    [Fact]
    public void Build_SocketPathOf108Bytes_ThrowsArgumentExceptionNamingThePath()
    {
        var directory = "/tmp/" + new string('d', 108 - "/tmp/".Length - "/qmp.sock".Length);
        var config = Minimal with { Paths = QemuRuntimePaths.For(directory, "/tmp/serial.log") };
        Assert.Equal(108, (directory + "/qmp.sock").Length);

        var error = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(config));

        Assert.Contains("Paths.QmpSocket", error.Message);
        Assert.Contains("108 bytes", error.Message);
    }

    [Fact]
    public void Build_SocketPathOf107Bytes_IsAccepted()
    {
        var directory = "/tmp/" + new string('d', 107 - "/tmp/".Length - "/console.sock".Length);

        var args = QemuCommandLine.Build(Minimal with { Paths = QemuRuntimePaths.For(directory, "/tmp/serial.log") });

        Assert.Contains(args, a => a.Contains(directory + "/console.sock", StringComparison.Ordinal));
    }

    private static void AssertGolden(string name, QemuVmConfig config) => CommandLineGolden.Assert(name, config);
}
