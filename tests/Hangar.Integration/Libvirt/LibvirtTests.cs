using System.Globalization;
using System.Security.Cryptography;
using System.Xml.Linq;
using Hangar.Integration.Support;
using Hangar.Processes;
using Hangar.Qemu;
using Hangar.Spec;

namespace Hangar.Integration.Libvirt;

/// <summary>
/// <c>hangar vm xml</c> and <c>hangar import libvirt</c> on real VMs: the domain is valid for libvirt's own schema
/// (<c>virt-xml-validate</c>), says what the running QEMU was given (read from its <c>/proc/PID/cmdline</c>), and
/// imported again gives each VM back as the fleet file has it.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class LibvirtTests
{
    [Fact]
    public async Task VmXml_RunningVms_ValidDomainsOfWhatQemuRunsThatImportBackToTheFleet()
    {
        await using var home = new HangarHome();
        var imagePath = Path.Combine(home.Path, "blank.qcow2");
        await new QemuImg().CreateBlankAsync(imagePath, 64L << 20, CancellationToken.None);
        var digest = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(imagePath)));
        var (web, api, dns) = (home.ReservePort(), home.ReservePort(), home.ReservePort());
        var images = $"images:\n  blank: {{ path: ./blank.qcow2, sha256: {digest} }}\n";
        var fleet = images + $"""
            vms:
              web:
                image: tiny
                vcpu: 2
                memory: 128MiB
                disk: 64MiB
                forwards: ["{web}:80", "{dns}:53/udp"]
              bare:
                image: tiny
                memory: 96MiB
              disky:
                image: blank
                memory: 64MiB
                disk: 128MiB
                forwards: ["{api}:8080"]
            """;
        var file = home.WriteFleet(fleet);
        await home.OkAsync("up", file);
        var expected = FleetParser.Parse(fleet, "fleet.yaml", home.Path).Spec!;
        var status = await home.StatusAsync();

        foreach (var vm in expected.Vms)
        {
            var xml = (await home.OkAsync("vm", "xml", vm.Name)).Stdout;
            var xmlFile = Path.Combine(home.Path, vm.Name + ".xml");
            await File.WriteAllTextAsync(xmlFile, xml);
            var validate = await ProcessRunner.Instance.RunAsync("virt-xml-validate", [xmlFile, "domain"], null, CancellationToken.None);
            Assert.True(validate.ExitCode == 0, $"virt-xml-validate refused the domain of {vm.Name}: {validate.StandardError}{validate.StandardOutput}\n{xml}");

            // The domain says what the running QEMU was given.
            var domain = XDocument.Parse(xml).Root!;
            var qemu = QemuProcesses.CommandLine(status.Vms.Single(v => v.Name == vm.Name).Pid!.Value);
            Assert.Equal("qemu", (string)domain.Attribute("type")!); // HANGAR_ACCEL=tcg
            Assert.Contains("accel=tcg", qemu);
            Assert.Contains($" -smp {domain.Element("vcpu")!.Value} ", qemu);
            Assert.Contains($" -m {long.Parse(domain.Element("memory")!.Value, CultureInfo.InvariantCulture) / 1024} ", qemu);
            if (domain.Element("os")!.Element("kernel") is { } kernel) Assert.Contains($" -kernel {kernel.Value} ", qemu);
            else Assert.DoesNotContain(" -kernel ", qemu);
            foreach (var disk in domain.Element("devices")!.Elements("disk"))
                Assert.Contains($"file={disk.Element("source")!.Attribute("file")!.Value},", qemu);
            foreach (var forward in domain.Descendants("portForward"))
            {
                var range = forward.Element("range")!;
                Assert.Contains($"hostfwd={forward.Attribute("proto")!.Value}:127.0.0.1:{range.Attribute("start")!.Value}-:{range.Attribute("to")!.Value}", qemu);
            }
            Assert.Equal(vm.Forwards.Count, domain.Descendants("portForward").Count());
            AssertEveryOptionDescribed(QemuProcesses.Arguments(status.Vms.Single(v => v.Name == vm.Name).Pid!.Value), domain);

            // Imported again, it is the VM of the fleet file (a declared image's entry comes from the fleet file).
            var imported = await home.OkAsync("import", "libvirt", xmlFile);
            Assert.True(imported.Stderr.Length == 0, $"{vm.Name}: {imported}");
            var back = FleetParser.Parse(images + imported.Stdout, "imported.yaml", home.Path);
            Assert.True(back.Errors.Count == 0, string.Join("\n", back.Errors) + "\n" + imported.Stdout);
            var again = Assert.Single(back.Spec!.Vms);
            Assert.Equal((vm.Name, vm.Image, vm.Vcpu, vm.Memory, vm.Disk), (again.Name, again.Image, again.Vcpu, again.Memory, again.Disk));
            Assert.Equal(vm.Forwards, again.Forwards);
        }
    }

    [Fact]
    public async Task VmXml_Debian12VmNotStarted_HasItsKernelSeedCredentialAndDisplayAndImportsBack()
    {
        await Debian12Cache.EnsureAsync();
        await using var home = new HangarHome();
        const string fleet = """
            vms:
              deb1:
                image: debian-12
                vcpu: 2
                memory: 512MiB
                autostart: false
                display: vnc
                guest: { hostname: deb1 }
                credentials:
                  motd: { value: "managed by hangar" }
            """;
        await home.OkAsync("up", home.WriteFleet(fleet));
        var expected = Assert.Single(FleetParser.Parse(fleet, "fleet.yaml", home.Path).Spec!.Vms);
        // Planned from what the agent was sent; until then the server says it has not been sent the VM.
        var result = await Eventually.WaitAsync(() => home.RunAsync("vm", "xml", "deb1"), r => r.ExitCode == 0, TimeSpan.FromSeconds(60), "the domain of deb1");
        var xmlFile = Path.Combine(home.Path, "deb1.xml");
        await File.WriteAllTextAsync(xmlFile, result.Stdout);
        var validate = await ProcessRunner.Instance.RunAsync("virt-xml-validate", [xmlFile, "domain"], null, CancellationToken.None);
        Assert.True(validate.ExitCode == 0, $"virt-xml-validate refused the domain: {validate.StandardError}{validate.StandardOutput}\n{result.Stdout}");

        var domain = XDocument.Parse(result.Stdout).Root!;
        Assert.True(File.Exists(domain.Element("os")!.Element("kernel")!.Value), "the image's kernel on this host");
        Assert.Contains("root=/dev/vda", domain.Element("os")!.Element("cmdline")!.Value);
        // Its seed holds the VM's SSH host key (a cloud-init guest has an identity): written on a tmpfs at each start, so
        // the domain has no path for it.
        var seed = domain.Element("devices")!.Elements("disk").Last();
        Assert.Null(seed.Element("source"));
        Assert.Contains(seed.Nodes().OfType<XComment>(), c => c.Value.Contains("SSH host key", StringComparison.Ordinal));
        Assert.NotNull(seed.Element("readonly"));
        Assert.DoesNotContain("seed.iso", result.Stdout);
        Assert.Equal($"{expected.VncPort}", domain.Element("devices")!.Element("graphics")!.Attribute("port")!.Value);
        Assert.Equal("io.systemd.credential:motd=managed by hangar", domain.Element("sysinfo")!.Element("oemStrings")!.Element("entry")!.Value);
        Assert.Equal($"{expected.SshPort}", domain.Descendants("portForward").Single().Element("range")!.Attribute("start")!.Value);

        var imported = await home.OkAsync("import", "libvirt", xmlFile);
        Assert.Contains("devices/disk[2]: Hangar's cloud-init seed", imported.Stderr);
        var again = Assert.Single(FleetParser.Parse(imported.Stdout, "imported.yaml", home.Path).Spec!.Vms);
        Assert.Equal((expected.Image, expected.Vcpu, expected.Memory, expected.Disk, expected.VncPort), (again.Image, again.Vcpu, again.Memory, again.Disk, again.VncPort));
        Assert.Equal(expected.Forwards, again.Forwards);
        Assert.Equal(["motd value managed by hangar"], again.Credentials!.Select((CredentialSpec c) => $"{c.Name} {c.Kind.ToString().ToLowerInvariant()} {c.Source}"));
    }

    [Fact]
    public async Task ImportLibvirt_VirshDumpxmlOfLibvirtsTestDomain_GivesAFleetEntryAndNotesTheRest()
    {
        await using var home = new HangarHome();
        // The domain of libvirt's own test driver, as virsh dumpxml prints it.
        var dump = await ProcessRunner.Instance.RunAsync("virsh", ["-c", "test:///default", "dumpxml", "test"], null, CancellationToken.None);
        Assert.True(dump.ExitCode == 0, dump.StandardError);
        var file = Path.Combine(home.Path, "test.xml");
        await File.WriteAllTextAsync(file, dump.StandardOutput);

        var imported = await home.OkAsync("import", "libvirt", file);

        var parsed = FleetParser.Parse(imported.Stdout, "imported.yaml", home.Path, null, ImageFileCheck.NotChecked);
        Assert.True(parsed.Errors.Count == 0, string.Join("\n", parsed.Errors) + "\n" + imported.Stdout);
        var vm = Assert.Single(parsed.Spec!.Vms);
        Assert.Equal(("test", "test", 2, ByteSize.FromMiB(8192)), (vm.Name, vm.Image, vm.Vcpu, vm.Memory));
        var image = Assert.Single(parsed.Spec.Images);
        Assert.Equal(("/guest/diskimage1", DiskFormat.Raw), (image.Path, image.Format));
        string[] noted = ["@type: a 'test' domain", "uuid: ", "currentMemory: the guest starts with all of its memory (8GiB); hangar vm set NAME --balloon SIZE", "os/type: arch 'i686'",
            "devices/disk[@type='file']: no <driver type=…>", "devices/interface[@type='network']: "];
        foreach (var note in noted) Assert.Contains("  " + note, imported.Stderr);
        // Its virtio balloon is carried over as one.
        Assert.True(vm.Balloon);
        Assert.DoesNotContain("devices/memballoon", imported.Stderr);
        Assert.DoesNotContain("/address", imported.Stderr);
    }

    /// <summary>
    /// Every option Hangar gave QEMU is one the domain describes, each device as often as QEMU got it: an option or device
    /// Hangar starts passing without <c>LibvirtDomainXml</c> learning it fails here.
    /// </summary>
    private static void AssertEveryOptionDescribed(IReadOnlyList<string> args, XElement domain)
    {
        string[] described = ["-name", "-machine", "-cpu", "-smp", "-m", "-nodefaults", "-no-user-config", "-display", "-S", "-daemonize",
            "-pidfile", "-qmp", "-chardev", "-serial", "-kernel", "-initrd", "-append", "-drive", "-device", "-netdev", "-fw_cfg", "-smbios", "-vnc", "-sandbox", "-runas"];
        var options = args.Skip(1).Where(a => a.StartsWith('-')).ToArray();
        Assert.All(options, option => Assert.Contains(option, described));
        var devices = domain.Element("devices")!;
        string[] values(string option) => args.Zip(args.Skip(1)).Where(p => p.First == option).Select(p => p.Second).ToArray();
        Assert.Equal(values("-drive").Length, devices.Elements("disk").Count());
        Assert.Equal(values("-netdev").Length, devices.Elements("interface").Count());
        Assert.Equal(values("-device").Count(d => d.StartsWith("virtserialport,", StringComparison.Ordinal)), devices.Elements("channel").Count());
        Assert.Equal(values("-device").Count(d => d.StartsWith("virtio-blk-pci,", StringComparison.Ordinal)), devices.Elements("disk").Count());
        Assert.Equal(values("-fw_cfg").Length, devices.Nodes().OfType<XComment>().Count(c => c.Value.Contains("fw_cfg", StringComparison.Ordinal)));
        Assert.Equal(values("-smbios").Length, domain.Element("sysinfo")?.Descendants("entry").Count() ?? 0);
        Assert.Equal(values("-vnc").Length, devices.Elements("graphics").Count());
        Assert.Equal(values("-runas").Select(r => "+" + r.Replace(":", ":+", StringComparison.Ordinal)), domain.Elements("seclabel").Select(l => l.Element("label")!.Value));
        Assert.Equal(["console0", "qga0"], values("-chardev").Select(c => c.Split(',')[1].Replace("id=", "", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public async Task VmXml_UnknownVm_IsNotFound()
    {
        await using var home = new HangarHome();
        await home.OkAsync("up", home.WriteFleet("vms:\n  web:\n    image: tiny\n    memory: 96MiB\n"));
        var result = await home.RunAsync("vm", "xml", "nope");
        Assert.Equal(5, result.ExitCode);
        Assert.Contains("nope", result.Stderr);
    }

    [Fact]
    public async Task ImportLibvirt_NotADomain_IsAnErrorWithLineAndColumn()
    {
        await using var home = new HangarHome();
        var file = Path.Combine(home.Path, "net.xml");
        await File.WriteAllTextAsync(file, "<?xml version='1.0'?>\n<network>\n  <name>default</nam>\n</network>\n");
        var result = await home.RunAsync("import", "libvirt", file);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{file}:3:", result.Stderr);
        Assert.Contains("Not well-formed XML: ", result.Stderr);
        Assert.DoesNotContain("Xml_", result.Stderr);
        Assert.Empty(result.Stdout);
    }
}
