using System.Runtime.CompilerServices;
using System.Xml.Linq;
using Hangar.Qemu.Libvirt;

namespace Hangar.Qemu.Tests.Libvirt;

/// <summary>
/// The domain Hangar writes for a QEMU configuration: compared with golden text (HANGAR_UPDATE_GOLDEN=1 rewrites it) and
/// checked against libvirt's schema with the real <c>virt-xml-validate</c>.
/// </summary>
public sealed class LibvirtDomainXmlTests
{
    private static readonly HangarDomainMetadata TinyMetadata = new("tiny", null, "local");

    private static readonly QemuVmConfig Tiny = new()
    {
        Name = "web",
        Accelerator = QemuAccelerator.Tcg,
        Vcpu = 2,
        MemoryMiB = 256,
        Kernel = "/var/lib/hangar/images/tiny/KEY/vmlinuz",
        Initrd = "/var/lib/hangar/images/tiny/KEY/initrd.img",
        KernelCommandLine = "console=ttyS0 quiet hangar.name=web",
        Drives = [new QemuDrive("/var/lib/hangar/vms/web/disk.qcow2", "qcow2", "disk0")],
        Forwards = [new QemuPortForward("tcp", "127.0.0.1", 8080, 80), new QemuPortForward("udp", "127.0.0.1", 5353, 53)],
        Network = true,
        Paths = QemuRuntimePaths.For("/run/hangar/web", "/var/lib/hangar/vms/web/serial.log"),
    };

    private static readonly QemuVmConfig Debian = Tiny with
    {
        Name = "deb1",
        Accelerator = QemuAccelerator.Kvm,
        MemoryMiB = 1024,
        Kernel = null,
        Initrd = null,
        KernelCommandLine = null,
        Drives =
        [
            new QemuDrive("/var/lib/hangar/vms/deb1/disk.qcow2", "qcow2", "disk0"),
            new QemuDrive("/var/lib/hangar/vms/deb1/seed.iso", "raw", "seed", ReadOnly: true),
        ],
        Forwards = [new QemuPortForward("tcp", "127.0.0.1", 2223, 22)],
        FwCfgFiles = [new QemuFwCfgFile("opt/io.systemd.credentials/api-key", "/run/hangar/_credentials/deb1/api-key")],
        OemStrings = ["io.systemd.credential:motd=managed by hangar"],
        Paths = QemuRuntimePaths.For("/run/hangar/deb1", "/var/lib/hangar/vms/deb1/serial.log"),
        Confinement = QemuConfinement.RunAs(1879048193, 1879048193),
    };

    [Fact]
    public async Task Write_TinyUnderTcg_MatchesGoldenAndLibvirtsSchema()
    {
        var xml = LibvirtDomainXml.Write(Tiny, TinyMetadata);
        AssertGolden("libvirt-tiny-tcg", xml);
        await VirtXmlValidate.AssertValidDomainAsync(xml);
    }

    [Fact]
    public async Task Write_DiskBootUnderKvmWithSeedAndCredentials_MatchesGoldenAndLibvirtsSchema()
    {
        var xml = LibvirtDomainXml.Write(Debian, new HangarDomainMetadata("debian-12", 8L << 30, "h2"));
        AssertGolden("libvirt-debian-kvm", xml);
        await VirtXmlValidate.AssertValidDomainAsync(xml);
    }

    [Fact]
    public async Task Write_VncAndASecretSeed_GraphicsAndVgaAndNoSeedPath()
    {
        var xml = LibvirtDomainXml.Write(Debian with { VncPort = 5901 }, new HangarDomainMetadata("debian-12", null, "local") { SecretDriveIds = ["seed"] });
        await VirtXmlValidate.AssertValidDomainAsync(xml);
        var devices = XDocument.Parse(xml).Root!.Element("devices")!;
        var graphics = devices.Element("graphics")!;
        Assert.Equal(("vnc", "5901", "127.0.0.1"), ((string)graphics.Attribute("type")!, (string)graphics.Attribute("port")!, (string)graphics.Attribute("listen")!));
        Assert.Equal("vga", (string)devices.Element("video")!.Element("model")!.Attribute("type")!);
        Assert.DoesNotContain("seed.iso", xml);
        Assert.Null(devices.Elements("disk").Last().Element("source"));
        // The command line has the same display: VGA and VNC display 1 (port 5901).
        var args = QemuCommandLine.Build(Debian with { VncPort = 5901 });
        Assert.Contains("VGA", args);
        Assert.Contains("127.0.0.1:1", args);
    }

    [Fact]
    public async Task Write_NoNetworkNoDrives_IsStillAValidDomain()
    {
        var xml = LibvirtDomainXml.Write(Tiny with { Drives = [], Forwards = [], Network = false }, TinyMetadata);
        Assert.DoesNotContain("<interface", xml);
        Assert.DoesNotContain("<disk", xml);
        await VirtXmlValidate.AssertValidDomainAsync(xml);
    }

    [Fact]
    public void Build_Accelerator_GivesDomainTypeAndCpuModeOfTheCommandLine()
    {
        var tcg = LibvirtDomainXml.Build(Tiny, TinyMetadata).Root!;
        var kvm = LibvirtDomainXml.Build(Tiny with { Accelerator = QemuAccelerator.Kvm }, TinyMetadata).Root!;
        Assert.Equal(("qemu", "maximum"), ((string)tcg.Attribute("type")!, (string)tcg.Element("cpu")!.Attribute("mode")!));
        Assert.Equal(("kvm", "host-passthrough"), ((string)kvm.Attribute("type")!, (string)kvm.Element("cpu")!.Attribute("mode")!));
        // The command line says the same: -cpu max under TCG, -cpu host under KVM.
        Assert.Contains("max", QemuCommandLine.Build(Tiny));
        Assert.Contains("host", QemuCommandLine.Build(Tiny with { Accelerator = QemuAccelerator.Kvm }));
    }

    [Fact]
    public void Build_Drives_AreVirtioDisksInTheirOrderWithTheSeedReadOnly()
    {
        var disks = LibvirtDomainXml.Build(Debian, TinyMetadata).Root!.Element("devices")!.Elements("disk").ToArray();
        Assert.Equal(["vda", "vdb"], disks.Select(d => (string)d.Element("target")!.Attribute("dev")!));
        Assert.Equal(["/var/lib/hangar/vms/deb1/disk.qcow2", "/var/lib/hangar/vms/deb1/seed.iso"], disks.Select(d => (string)d.Element("source")!.Attribute("file")!));
        Assert.Equal(["qcow2", "raw"], disks.Select(d => (string)d.Element("driver")!.Attribute("type")!));
        Assert.Equal([false, true], disks.Select(d => d.Element("readonly") is not null));
    }

    [Fact]
    public async Task Build_NamedVolumes_AreDisksWithTheirNameAsSerialAndTheDomainIsValid()
    {
        var config = Tiny with
        {
            Drives = [.. Tiny.Drives, new QemuDrive("/var/lib/hangar/vms/web/volumes/data.qcow2", "qcow2", "vol-data", Serial: "data")],
        };

        var xml = LibvirtDomainXml.Build(config, TinyMetadata);

        var disk = xml.Root!.Element("devices")!.Elements("disk").Last();
        Assert.Equal(("vdb", "data"), ((string)disk.Element("target")!.Attribute("dev")!, (string)disk.Element("serial")!));
        await VirtXmlValidate.AssertValidDomainAsync(LibvirtDomainXml.Write(config, TinyMetadata));
    }

    [Fact]
    public async Task Build_BridgeNicsAndVsock_AreBridgeInterfacesWithTheirMacAndTapAndAVsockWithItsCid()
    {
        var config = Tiny with
        {
            Nics = [new QemuNic("net0", "52:54:00:aa:bb:01"), new QemuNic("net1", "52:54:00:aa:bb:02", "hg0123456789n1", "hgbr0")],
            VsockCid = 42,
        };

        var xml = LibvirtDomainXml.Build(config, TinyMetadata);
        var interfaces = xml.Descendants("interface").ToList();

        Assert.Equal(["user", "bridge"], interfaces.Select(i => i.Attribute("type")!.Value));
        Assert.Equal(["52:54:00:aa:bb:01", "52:54:00:aa:bb:02"], interfaces.Select(i => i.Element("mac")!.Attribute("address")!.Value));
        Assert.Equal("hgbr0", interfaces[1].Element("source")!.Attribute("bridge")!.Value);
        Assert.Equal("hg0123456789n1", interfaces[1].Element("target")!.Attribute("dev")!.Value);
        Assert.Equal("42", xml.Descendants("vsock").Single().Element("cid")!.Attribute("address")!.Value);
        await VirtXmlValidate.AssertValidDomainAsync(LibvirtDomainXml.Write(config, TinyMetadata));
    }

    [Fact]
    public async Task Build_SharesAndBalloon_AreVirtiofsFilesystemsOnSharedMemfdMemoryAndAVirtioBalloon()
    {
        var config = Tiny with
        {
            Shares = [new QemuShare("fs0", "data", "/run/hangar/web/fs0.sock", "/srv/data"), new QemuShare("fs1", "docs", "/run/hangar/web/fs1.sock", "/srv/docs", ReadOnly: true)],
            Balloon = true,
        };

        var xml = LibvirtDomainXml.Build(config, TinyMetadata);
        var filesystems = xml.Descendants("filesystem").ToList();

        Assert.Equal(["data", "docs"], filesystems.Select(f => f.Element("target")!.Attribute("dir")!.Value));
        Assert.Equal(["/srv/data", "/srv/docs"], filesystems.Select(f => f.Element("source")!.Attribute("dir")!.Value));
        Assert.All(filesystems, f => Assert.Equal("virtiofs", f.Element("driver")!.Attribute("type")!.Value));
        Assert.Equal([false, true], filesystems.Select(f => f.Element("readonly") is not null));
        Assert.Equal("memfd", xml.Descendants("memoryBacking").Single().Element("source")!.Attribute("type")!.Value);
        Assert.Equal("virtio", xml.Descendants("memballoon").Single().Attribute("model")!.Value);
        Assert.Empty(LibvirtDomainXml.Build(Tiny, TinyMetadata).Descendants("memoryBacking"));
        await VirtXmlValidate.AssertValidDomainAsync(LibvirtDomainXml.Write(config, TinyMetadata));
    }

    [Fact]
    public void Write_FwCfgCredential_IsNamedButItsPathIsNotWritten()
    {
        var xml = LibvirtDomainXml.Write(Debian, TinyMetadata);
        Assert.Contains("opt/io.systemd.credentials/api-key", xml);
        Assert.DoesNotContain("_credentials", xml);
        Assert.DoesNotContain("fwcfg", xml);
    }

    [Fact]
    public void Build_Forwards_ArePortForwardRangesOnAPasstUserInterface()
    {
        var nic = LibvirtDomainXml.Build(Tiny, TinyMetadata).Root!.Element("devices")!.Element("interface")!;
        Assert.Equal("user", (string)nic.Attribute("type")!);
        Assert.Equal("passt", (string)nic.Element("backend")!.Attribute("type")!);
        Assert.Equal(LibvirtDomainXml.QemuDefaultMac, (string)nic.Element("mac")!.Attribute("address")!);
        Assert.Equal(["tcp 127.0.0.1 8080 80", "udp 127.0.0.1 5353 53"], nic.Elements("portForward").Select(p =>
            $"{p.Attribute("proto")!.Value} {p.Attribute("address")!.Value} {p.Element("range")!.Attribute("start")!.Value} {p.Element("range")!.Attribute("to")!.Value}"));
    }

    [Fact]
    public void Build_Metadata_RecordsImageDiskAndAgentInHangarsNamespace()
    {
        var vm = LibvirtDomainXml.Build(Debian, new HangarDomainMetadata("debian-12", 8L << 30, "h2")).Root!
            .Element("metadata")!.Element(XName.Get("vm", LibvirtDomainXml.HangarNamespace))!;
        Assert.Equal(("debian-12", "8589934592", "h2"), ((string)vm.Attribute("image")!, (string)vm.Attribute("disk")!, (string)vm.Attribute("agent")!));
    }

    [Fact]
    public void Build_InvalidConfig_ThrowsNamingTheProblem()
    {
        var e = Assert.Throws<ArgumentException>(() => LibvirtDomainXml.Build(Tiny with { Vcpu = 0 }, TinyMetadata));
        Assert.Contains("Vcpu is 0", e.Message);
    }

    [Theory]
    [InlineData(0, "vda")]
    [InlineData(1, "vdb")]
    [InlineData(25, "vdz")]
    [InlineData(26, "vdaa")]
    [InlineData(27, "vdab")]
    public void VirtioDiskName_Index_IsLibvirtsName(int index, string expected) => Assert.Equal(expected, LibvirtDomainXml.VirtioDiskName(index));

    private static void AssertGolden(string name, string actual, [CallerFilePath] string sourceFile = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", "Golden", name + ".xml");
        if (Environment.GetEnvironmentVariable("HANGAR_UPDATE_GOLDEN") == "1") File.WriteAllText(path, actual);
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
