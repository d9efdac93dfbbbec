using Hangar.Spec.Libvirt;

namespace Hangar.Spec.Tests.Libvirt;

public sealed class LibvirtDomainImporterTests
{
    /// <summary>The domain template of seed 001 (shared/seeds/001_5e8c3338b9e58ad0.txt), with its placeholders filled in for agent drago.</summary>
    private const string Seed001Domain = """
        <domain type='kvm'>
          <name>agent-drago</name>
          <memory unit='GiB'>4</memory>
          <vcpu>2</vcpu>
          <os>
            <type arch='x86_64'>hvm</type>
            <boot dev='hd'/>
          </os>
          <devices>
            <emulator>/run/current-system/sw/bin/qemu-system-x86_64</emulator>
            <disk type='file' device='disk'>
              <driver name='qemu' type='qcow2'/>
              <source file='/home/ncrmro/.agentvms/agent-drago.qcow2'/>
              <target dev='vda' bus='virtio'/>
            </disk>
            <interface type='user'>
              <mac address='52:54:00:ab:cd:01'/>
              <model type='virtio'/>
            </interface>
            <graphics type='spice' port='5900' autoport='no' listen='127.0.0.1'/>
            <video>
              <model type='virtio'/>
            </video>
            <channel type='spicevmc'>
              <target type='virtio' name='com.redhat.spice.0'/>
            </channel>
          </devices>
        </domain>
        """;

    [Fact]
    public void Import_Seed001Domain_GivesAFleetFileTheParserReads()
    {
        var imported = LibvirtDomainImporter.Import(Seed001Domain, "agent-drago.xml");

        var parsed = FleetParser.Parse(imported.Yaml, "imported.yaml", null, null, ImageFileCheck.NotChecked);
        Assert.Empty(parsed.Errors);
        var vm = Assert.Single(parsed.Spec!.Vms);
        Assert.Equal(("agent-drago", "agent-drago", 2, "4GiB", 0), (vm.Name, vm.Image, vm.Vcpu, vm.Memory.ToString(), vm.Forwards.Count));
        Assert.Null(vm.Disk);
        var image = Assert.Single(parsed.Spec.Images);
        Assert.Equal(("/home/ncrmro/.agentvms/agent-drago.qcow2", DiskFormat.Qcow2), (image.Path, image.Format));
        Assert.Equal("agent-drago", imported.VmName);
    }

    [Fact]
    public void Import_Seed001Domain_NamesEveryPartItCannotCarryOver()
    {
        var notes = LibvirtDomainImporter.Import(Seed001Domain, "agent-drago.xml").Notes.Select(n => n.ToString()).ToArray();

        Assert.Contains(notes, n => n.StartsWith("devices/graphics[@type='spice']: Hangar has no SPICE display yet", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("devices/video: ", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("devices/channel[@type='spicevmc']: ", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("devices/emulator: ", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("devices/interface[@type='user']/mac: the fleet file has no MAC address", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("devices/disk[@type='file']/source: /home/ncrmro/.agentvms/agent-drago.qcow2 becomes the base image", StringComparison.Ordinal)
            && n.Contains("fill in its sha256", StringComparison.Ordinal));
        Assert.Equal(6, notes.Length);
    }

    [Fact]
    public void Import_ReadableDisk_WritesItsDigest()
    {
        var digest = new string('a', 64);
        var imported = LibvirtDomainImporter.Import(Seed001Domain, "d.xml", sha256Of: path => path.EndsWith("agent-drago.qcow2", StringComparison.Ordinal) ? digest : null);

        var parsed = FleetParser.Parse(imported.Yaml, "imported.yaml", null, null, ImageFileCheck.NotChecked);
        Assert.Equal(digest, Assert.Single(parsed.Spec!.Images).Sha256);
        Assert.DoesNotContain(imported.Notes, n => n.Reason.Contains("sha256", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_PortForwardsOfAUserInterface_BecomeForwards()
    {
        var imported = LibvirtDomainImporter.Import(Domain("""
            <interface type='user'>
              <portForward proto='tcp' address='127.0.0.1'><range start='2223' to='22'/><range start='8080' end='8081' to='80'/></portForward>
              <portForward proto='udp'><range start='5353'/></portForward>
              <backend type='passt'/>
              <alias name='net0'/>
              <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
            </interface>
            """), "d.xml");

        var vm = Assert.Single(Parse(imported).Vms);
        Assert.Equal(["2223:22/tcp", "8080:80/tcp", "8081:81/tcp", "5353:5353/udp"], vm.Forwards.Select(f => f.ToString()));
        Assert.DoesNotContain(imported.Notes, n => n.Location.StartsWith("devices/interface", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("<seclabel type='static' model='dac' relabel='no'><label>+1879048192:+1879048192</label></seclabel>", null)]
    [InlineData("<seclabel type='dynamic' model='dac'/>", "seclabel")]
    [InlineData("<seclabel type='static' model='dac'><label>qemu:kvm</label></seclabel>", "seclabel")]
    [InlineData("<seclabel type='dynamic' model='selinux'/>", "seclabel")]
    public void Import_Seclabel_HangarsOwnDacLabelIsQuiet_AnyOtherIsNoted(string seclabel, string? noted)
    {
        var imported = LibvirtDomainImporter.Import(Domain("").Replace("</domain>", seclabel + "</domain>", StringComparison.Ordinal), "d.xml");
        Assert.Single(Parse(imported).Vms);
        Assert.Equal(noted is null ? [] : [noted], imported.Notes.Where(n => n.Location.StartsWith("seclabel", StringComparison.Ordinal)).Select(n => n.Location[..8]));
    }

    [Fact]
    public void Import_VncDisplay_IsDisplayVncWithItsPortNoted()
    {
        var imported = LibvirtDomainImporter.Import(Domain("<graphics type='vnc' port='5907' autoport='no'/><video><model type='cirrus'/></video>"), "d.xml");
        Assert.NotNull(Assert.Single(Parse(imported).Vms).VncPort);
        Assert.Contains(imported.Notes, n => n.Location == "devices/graphics[@type='vnc']" && n.Reason.StartsWith("port 5907: Hangar gives", StringComparison.Ordinal));
        Assert.Contains(imported.Notes, n => n.Location == "devices/video" && n.Reason.StartsWith("a cirrus card", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_DiskWithoutDriverType_IsRawWithANote()
    {
        var imported = LibvirtDomainImporter.Import(Domain("").Replace("<driver name='qemu' type='qcow2'/>", "", StringComparison.Ordinal), "d.xml");
        Assert.Equal(DiskFormat.Raw, Assert.Single(Parse(imported).Images).Format);
        Assert.Contains(imported.Notes, n => n.Location == "devices/disk[@type='file']" && n.Reason.StartsWith("no <driver type=…>: taken as raw", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_SystemdCredentials_BecomeValueAndFileCredentials()
    {
        var imported = LibvirtDomainImporter.Import("""
            <domain type='kvm'><name>c</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>
              <sysinfo type='smbios'><oemStrings><entry>io.systemd.credential:motd=hello "you"</entry><entry>vendor=x</entry></oemStrings></sysinfo>
              <sysinfo type='fwcfg'><entry name='opt/io.systemd.credentials/ca' file='/etc/ssl/ca.pem'/></sysinfo>
              <devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/var/lib/c.img'/><target dev='vda' bus='virtio'/></disk></devices>
            </domain>
            """, "c.xml");

        var spec = Parse(imported);
        var credentials = Assert.Single(spec.Vms).Credentials!;
        Assert.Equal(["ca file /etc/ssl/ca.pem", "motd value hello \"you\""], credentials.Select((CredentialSpec c) => $"{c.Name} {c.Kind.ToString().ToLowerInvariant()} {c.Source}"));
        Assert.Equal(DiskFormat.Raw, Assert.Single(spec.Images).Format);
        Assert.Contains(imported.Notes, n => n.Location == "sysinfo[@type='smbios']/oemStrings/entry[2]");
    }

    [Fact]
    public void Import_DomainHangarWrote_TakesImageAndDiskFromItsMetadataAndNotesOnlyItsSeed()
    {
        var imported = LibvirtDomainImporter.Import("""
            <domain type="qemu">
              <name>deb1</name>
              <metadata><hangar:vm xmlns:hangar="https://hangar.dev/libvirt/vm/1" image="debian-12" agent="local" disk="8589934592" /></metadata>
              <memory unit="KiB">1048576</memory><currentMemory unit="KiB">1048576</currentMemory><vcpu placement="static">2</vcpu>
              <os><type arch="x86_64" machine="pc">hvm</type><kernel>/h/images/k/vmlinuz</kernel><initrd>/h/images/k/initrd.img</initrd><cmdline>root=/dev/vda</cmdline></os>
              <features><acpi /></features><cpu mode="maximum" />
              <devices>
                <disk type="file" device="disk"><driver name="qemu" type="qcow2" discard="unmap" /><source file="/h/vms/deb1/disk.qcow2" /><target dev="vda" bus="virtio" /></disk>
                <disk type="file" device="disk"><driver name="qemu" type="raw" /><!-- its file holds the host key --><target dev="vdb" bus="virtio" /><readonly /></disk>
                <interface type="user"><mac address="52:54:00:12:34:56" /><model type="virtio" />
                  <portForward proto="tcp" address="127.0.0.1"><range start="2223" to="22" /></portForward><backend type="passt" /></interface>
                <serial type="unix"><source mode="bind" path="/run/hangar/deb1/console.sock" /><target type="isa-serial" port="0" /></serial>
                <channel type="unix"><source mode="bind" path="/run/hangar/deb1/qga.sock" /><target type="virtio" name="org.qemu.guest_agent.0" /></channel>
                <graphics type="vnc" port="5903" autoport="no" listen="127.0.0.1"><listen type="address" address="127.0.0.1" /></graphics>
                <video><model type="vga" /></video>
                <controller type="usb" model="none" /><memballoon model="none" />
              </devices>
            </domain>
            """, "deb1.xml");

        Assert.Equal("devices/disk[2]: Hangar's cloud-init seed: the VM's `guest` (hostname, users, keys, files) is in the fleet file, not in the domain; write it again",
            Assert.Single(imported.Notes).ToString());
        var spec = Parse(imported);
        Assert.Empty(spec.Images);
        var vm = Assert.Single(spec.Vms);
        Assert.Equal(("deb1", "debian-12", 2, "1GiB", "8GiB", "2223:22/tcp"), (vm.Name, vm.Image, vm.Vcpu, vm.Memory.ToString(), vm.Disk.ToString(), string.Join(",", vm.Forwards)));
        Assert.NotNull(vm.VncPort); // display: vnc, its port from settings.vncPorts
    }

    [Fact]
    public void Import_BillionLaughs_IsRefusedBeforeAnyEntityIsExpanded()
    {
        var bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE domain [\n  <!ENTITY lol \"lol\">\n"
            + string.Concat(Enumerable.Range(1, 9).Select(i => $"  <!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{(i == 1 ? "" : (i - 1).ToString())};", 10))}\">\n"))
            + "]>\n<domain type='kvm'><name>&lol9;</name><memory>1</memory><vcpu>1</vcpu></domain>\n";
        var allocated = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<LibvirtImportException>(() => LibvirtDomainImporter.Import(bomb, "bomb.xml"));

        // Expanded, &lol9; would be 10^9 "lol"s: gigabytes. Refused at the DTD, nothing near that is allocated.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 16 * 1024 * 1024);
        Assert.True(e.Message.StartsWith("bomb.xml:2:", StringComparison.Ordinal), e.Message);
        Assert.Contains("DTD", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_ExternalEntity_IsRefusedWithoutReadingIt()
    {
        var e = Assert.Throws<LibvirtImportException>(() => LibvirtDomainImporter.Import(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE domain [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<domain><name>&x;</name></domain>", "x.xml"));
        Assert.Contains("DTD", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_NotWellFormed_IsAnErrorAtItsLineAndColumn()
    {
        var e = Assert.Throws<LibvirtImportException>(() => LibvirtDomainImporter.Import("<domain>\n  <name>x</nam>\n</domain>", "bad.xml"));
        Assert.Equal((2, 12), (e.Line, e.Column));
        Assert.StartsWith("bad.xml:2:12: Not well-formed XML:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_RootThatIsNotADomain_IsAnErrorAtTheRoot()
    {
        var e = Assert.Throws<LibvirtImportException>(() => LibvirtDomainImporter.Import("<?xml version='1.0'?>\n<network><name>default</name></network>", "net.xml"));
        Assert.Equal("net.xml:2:2: The root element is <network>, not <domain>: this is not a libvirt domain.", e.Message);
    }

    [Fact]
    public void Import_MemoryWithAnUnknownUnit_IsAnErrorAtTheElement()
    {
        var e = Assert.Throws<LibvirtImportException>(() => LibvirtDomainImporter.Import(
            "<domain>\n<name>x</name>\n  <memory unit='parsecs'>4</memory><vcpu>1</vcpu></domain>", "m.xml"));
        Assert.StartsWith("m.xml:3:4: <memory> has unit 'parsecs'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_DomainNameThatIsNotAFleetName_IsMadeOneWithANote()
    {
        var imported = LibvirtDomainImporter.Import(Domain("").Replace("<name>v</name>", "<name>Agent_Drago.1</name>", StringComparison.Ordinal), "d.xml");
        Assert.Equal("agent-drago-1", imported.VmName);
        Assert.Contains(imported.Notes, n => n.Location == "name" && n.Reason.Contains("'agent-drago-1'", StringComparison.Ordinal));
        Assert.Equal("agent-drago-1", Assert.Single(Parse(imported).Vms).Name);
    }

    [Fact]
    public void Import_NameOption_NamesTheVmAndItsImage()
    {
        var imported = LibvirtDomainImporter.Import(Seed001Domain, "d.xml", name: "drago");
        var spec = Parse(imported);
        Assert.Equal(("drago", "drago"), (Assert.Single(spec.Vms).Name, Assert.Single(spec.Images).Name));
        Assert.Throws<ArgumentException>(() => LibvirtDomainImporter.Import(Seed001Domain, "d.xml", name: "Drago!"));
    }

    [Fact]
    public void Import_NoDiskAndLittleMemory_BootsTinyWithItsMemoryFloor()
    {
        var imported = LibvirtDomainImporter.Import("<domain type='kvm'><name>small</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><devices/></domain>", "s.xml");
        var vm = Assert.Single(Parse(imported).Vms);
        Assert.Equal((BuiltinImages.Tiny, BuiltinImages.TinyMinMemory), (vm.Image, vm.Memory));
        Assert.Contains(imported.Notes, n => n.Location == "memory" && n.Reason.Contains("less than image 'tiny' boots with", StringComparison.Ordinal));
        Assert.Contains(imported.Notes, n => n.Location == "devices" && n.Reason.Contains("built-in 'tiny'", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_DomainNamedLikeABuiltinImage_GivesItsImageAnotherName()
    {
        var spec = Parse(LibvirtDomainImporter.Import(Seed001Domain, "d.xml", name: "debian-12"));
        Assert.Equal(("debian-12", "debian-12-disk"), (Assert.Single(spec.Vms).Name, Assert.Single(spec.Images).Name));
        Assert.Equal("debian-12-disk", spec.Vms[0].Image);
    }

    [Fact]
    public void Import_UnknownDevicesAndElements_AreEachNamedByLocation()
    {
        var imported = LibvirtDomainImporter.Import(Domain("""
            <disk type='file' device='cdrom'><source file='/iso/install.iso'/><target dev='sda' bus='sata'/></disk>
            <interface type='bridge'><source bridge='br0'/></interface>
            <graphics type='vnc' port='-1'/>
            <tpm model='tpm-tis'/>
            """).Replace("<vcpu>1</vcpu>", "<vcpu>1</vcpu><uuid>0b1f6a1e-0000-4000-8000-000000000001</uuid><memtune/>", StringComparison.Ordinal), "d.xml");
        var locations = imported.Notes.Select(n => n.Location).ToArray();
        Assert.Equal(["uuid", "memtune", "devices/disk[1]", "devices/interface[@type='bridge']", "devices/tpm", "devices/disk[2]/source"], locations);
        Assert.Contains("    display: vnc\n", imported.Yaml);
    }

    private static string Domain(string devices) => $"""
        <domain type='kvm'><name>v</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
          <devices>
            {devices}
            <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/images/v.qcow2'/><target dev='vda' bus='virtio'/></disk>
          </devices>
        </domain>
        """;

    private static FleetSpec Parse(LibvirtImport imported)
    {
        var parsed = FleetParser.Parse(imported.Yaml, "imported.yaml", null, null, ImageFileCheck.NotChecked);
        Assert.True(parsed.Errors.Count == 0, string.Join("\n", parsed.Errors) + "\n" + imported.Yaml);
        return parsed.Spec!;
    }

    [Fact]
    public void Import_VirtiofsFilesystemsAndVirtioBalloon_AreSharesAndBalloonAndA9pOneIsNoted()
    {
        const string domain = """
            <domain type='kvm'>
              <name>files</name>
              <memory unit='MiB'>512</memory>
              <currentMemory unit='MiB'>256</currentMemory>
              <vcpu>1</vcpu>
              <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
              <devices>
                <filesystem type='mount' accessmode='passthrough'>
                  <driver type='virtiofs'/><source dir='/srv/data'/><target dir='data'/>
                </filesystem>
                <filesystem type='mount' accessmode='passthrough'>
                  <driver type='virtiofs'/><source dir='/srv/docs'/><target dir='docs'/><readonly/>
                </filesystem>
                <filesystem type='mount' accessmode='mapped'>
                  <source dir='/srv/old'/><target dir='old'/>
                </filesystem>
                <memballoon model='virtio'/>
              </devices>
            </domain>
            """;

        var imported = LibvirtDomainImporter.Import(domain, "files.xml");
        var vm = Assert.Single(FleetParser.Parse(imported.Yaml, "imported.yaml", null, null, ImageFileCheck.NotChecked).Spec!.Vms);

        Assert.Equal<ShareSpec>([new("data", "/srv/data", null, false), new("docs", "/srv/docs", null, true)], vm.Shares!.Value);
        Assert.True(vm.Balloon);
        var notes = imported.Notes.Select(n => n.ToString()).ToArray();
        Assert.Contains(notes, n => n.Contains("a 9p file system: Hangar's shares are virtiofs; write it as shares: {old: {source: /srv/old}}", StringComparison.Ordinal));
        Assert.DoesNotContain(notes, n => n.StartsWith("memoryBacking", StringComparison.Ordinal));
    }
}

