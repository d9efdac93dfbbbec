namespace Hangar.Spec.Tests;

public sealed class FleetYamlTests
{
    private static readonly ValueList<PortForward> NoForwards = ValueList<PortForward>.Empty;

    private static VmSpec Tiny(string name, string? kernelArgs = null, string marker = BuiltinImages.TinyReadyMarker) =>
        new(name, BuiltinImages.Tiny, SpecDefaults.Vcpu, SpecDefaults.Memory, null, kernelArgs, NoForwards,
            SpecDefaults.Autostart, SpecDefaults.Restart, new HealthCheckSpec(marker, null, SpecDefaults.HealthTimeout));

    private static FleetSpec FleetOf(params VmSpec[] vms) =>
        new(new ValueList<VmSpec>(vms.OrderBy(v => v.Name, StringComparer.Ordinal)), ValueList<ImageSpec>.Empty);

    /// <summary>A fleet that sets every field to something other than its default, with two images.</summary>
    private static FleetSpec EveryField(string imagePath) => new(
        new ValueList<VmSpec>([
            new VmSpec("db", "debian", 2, ByteSize.FromMiB(2048), ByteSize.FromMiB(20 * 1024), null,
                new ValueList<PortForward>([new PortForward(5432, 5432, PortProtocol.Tcp)]),
                false, RestartPolicy.OnFailure, new HealthCheckSpec(null, 5432, TimeSpan.FromMinutes(2))),
            new VmSpec("scratch", "raw-disk", 64, ByteSize.FromMiB(1536), null, null, NoForwards,
                true, RestartPolicy.Never, null),
            new VmSpec("web", BuiltinImages.Tiny, 4, ByteSize.FromMiB(512), ByteSize.FromMiB(1), "quiet loglevel=3",
                new ValueList<PortForward>([
                    new PortForward(8080, 80, PortProtocol.Tcp),
                    new PortForward(5353, 53, PortProtocol.Udp),
                ]),
                true, RestartPolicy.Always, new HealthCheckSpec("login:", null, TimeSpan.FromMilliseconds(1500))),
        ]),
        new ValueList<ImageSpec>([
            new ImageSpec("debian", imagePath, Fleet.Sha, DiskFormat.Qcow2),
            new ImageSpec("raw-disk", imagePath, Fleet.Sha, DiskFormat.Raw),
        ]))
    {
        Settings = new FleetSettings(OrphanPolicy.Keep),
    };

    private static FleetSpec ReadBack(string yaml)
    {
        // No base directory that could matter: image paths are written absolute.
        var result = FleetParser.Parse(yaml, "x.yaml", null);
        Assert.True(result.IsValid, string.Join("\n", result.Errors) + "\n---\n" + yaml);
        return result.Spec!;
    }

    [Fact]
    public void Write_EveryField_ReadsBackEqual()
    {
        using var dir = new TempDirectory();
        var spec = EveryField(dir.Write("images/debian 12.qcow2", ""));

        Assert.Equal(spec, ReadBack(FleetYaml.Write(spec)));
    }

    [Fact]
    public void Write_ParsedFleet_ReadsBackEqual()
    {
        using var dir = new TempDirectory();
        dir.Write("d.qcow2", "");
        var spec = Fleet.Valid($$"""
            images:
              debian: { path: d.qcow2, sha256: {{Fleet.Sha.ToUpperInvariant()}} }
            vms:
              db: { image: debian }
              web: { image: tiny, forwards: [8080:80] }
            """, dir.Path);

        Assert.Equal(spec, ReadBack(FleetYaml.Write(spec)));
    }

    [Fact]
    public void Write_FleetWithGuestsCredentialsKeysDisplaysAndPlacement_ReadsBackEqualAgainstItself()
    {
        const string PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB+D1tafNZMN4G2HBMseYgEYLXrJ/bwZkv3SzPAllTnN";
        var age = Convert.ToBase64String("age-encryption.org/v1\n-> X25519 abc\n"u8.ToArray());
        var secrets = () => SecretSource.FromCiphertexts(new Dictionary<string, string> { ["db"] = age },
            new Dictionary<string, VmIdentity> { ["deb"] = new(PublicKey) { Ciphertext = age } });
        const string Text = """
            settings: { sshPorts: 3000-3009, vncPorts: 5910-5919 }
            vms:
              deb:
                image: debian-12
                display: vnc
                placement: { host: h1, labels: { gpu: "true" }, movable: true }
                guest:
                  hostname: "deb-1"
                  users:
                    - name: ops
                      sshAuthorizedKeys: ["ssh-ed25519 AAAA ops@laptop"]
                      sudo: true
                  rootPassword: "$6$salt$hash"
                  packages: [curl]
                  writeFiles:
                    - { path: /etc/motd, content: "line one\n# two: 2\n", permissions: "0644" }
                  runcmd: ["echo 'a: b' > /tmp/x"]
                  timezone: Europe/Paris
                credentials:
                  db: { secret: db, decrypt: guest }
                  motd: { value: "hi, there" }
                  ca: { file: /etc/ca.pem }
              box: { image: tiny, identity: true, forwards: ["3000:80"], volumes: { data: { size: 1GiB }, logs: { size: 8MiB, format: raw } },
                interfaces: [{type: user}, {type: bridge, bridge: br0, address: 10.0.0.2/24}], vsock: true }
            """;
        var spec = FleetParser.Parse(Text, "x.yaml", null, null, ImageFileCheck.NotChecked, secrets()).Spec!;
        Assert.Equal(3001, spec.FindVm("deb")!.SshPort); // 3000 is box's forward
        var yaml = FleetYaml.Write(spec);

        var back = FleetParser.Parse(yaml, "x.yaml", null, spec, ImageFileCheck.NotChecked, secrets());
        // The written MACs are the file's own now: read without the current generation, the VM keeps them.
        Assert.Equal(spec.FindVm("box")!.Interfaces, FleetParser.Parse(yaml, "x.yaml", null, null, ImageFileCheck.NotChecked, secrets()).Spec!.FindVm("box")!.Interfaces);

        Assert.True(back.IsValid, string.Join("\n", back.Errors) + "\n---\n" + yaml);
        Assert.Equal(spec, back.Spec);
        Assert.Contains("# and 3001:22/tcp, the automatic SSH port", yaml);
        Assert.Contains("identity: true  # ssh-ed25519 SHA256:DQnBydU1c2QRjpfk3aK2BBhoCl7HwWDo+JfXjeF6j1o", yaml);
        Assert.Contains("display: vnc  # 127.0.0.1:5910", yaml);
    }

    [Fact]
    public void Write_EmptyFleet_ReadsBackEqual()
    {
        var spec = FleetOf();

        Assert.Equal("vms: {}\n", FleetYaml.Write(spec));
        Assert.Equal(spec, ReadBack(FleetYaml.Write(spec)));
    }

    [Fact]
    public void Write_MinimalVm_WritesEveryDefaultExplicitly()
    {
        var spec = FleetOf(Tiny("web"));

        Assert.Equal("""
            vms:
              web:
                image: tiny
                vcpu: 1
                memory: 256MiB
                forwards: []
                autostart: true
                restart: always
                health:
                  serial: "hangar-tiny: ready"
                  timeout: 120s
                  restart: false
                identity: false
                display: none

            """, FleetYaml.Write(spec));
        Assert.Equal(spec, ReadBack(FleetYaml.Write(spec)));
    }

    [Fact]
    public void Write_DefaultSettings_LeavesSettingsOut()
    {
        var yaml = FleetYaml.Write(FleetOf(Tiny("web")) with { Settings = FleetSettings.Default });

        Assert.DoesNotContain("settings", yaml);
    }

    [Theory]
    [InlineData("say \"hi\"")]
    [InlineData("back\\slash \\n not a newline")]
    [InlineData("it's")]
    [InlineData("key: value")]
    [InlineData("a:b")]
    [InlineData("# not a comment")]
    [InlineData("value # not a comment")]
    [InlineData("  leading spaces")]
    [InlineData("trailing spaces  ")]
    [InlineData(" ")]
    [InlineData("- not a list")]
    [InlineData("[not, a, list]")]
    [InlineData("{not: a map}")]
    [InlineData("&anchor *alias !tag %directive @ `")]
    [InlineData("---")]
    [InlineData("...")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("true")]
    [InlineData("0x1F")]
    [InlineData("1e3")]
    [InlineData("tab\there")]
    [InlineData("two\nlines")]
    [InlineData("crlf\r\nline")]
    [InlineData("trailing newline\n")]
    [InlineData("nul\0byte")]
    [InlineData("escape \u001b[0m and del \u007f")]
    [InlineData("c1 \u0085 \u009f nbsp \u00a0")]
    [InlineData("separators \u2028 \u2029 bom \ufeff")]
    [InlineData("ünïcödé 日本語 Ελληνικά")]
    [InlineData("emoji 🚀 outside the BMP")]
    [InlineData("\\x41 \\u0041 stays escaped text")]
    public void Write_OddText_ReadsBackEqual(string text)
    {
        var spec = FleetOf(Tiny("a", kernelArgs: text), Tiny("b", marker: text));

        var back = ReadBack(FleetYaml.Write(spec));

        Assert.Equal(spec, back);
        Assert.Equal(text, back.Vms[0].KernelArgs);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("no")]
    [InlineData("y")]
    [InlineData("off")]
    public void Write_NameYamlWouldReadAsAnotherType_QuotesItAndReadsBackEqual(string name)
    {
        using var dir = new TempDirectory();
        var image = new ImageSpec(name, dir.Write("i.raw", ""), Fleet.Sha, DiskFormat.Raw);
        var vm = Tiny(name) with { Image = name, Health = null };
        var spec = new FleetSpec(new ValueList<VmSpec>([vm]), new ValueList<ImageSpec>([image]));

        var yaml = FleetYaml.Write(spec);

        Assert.Contains($"  \"{name}\":\n", yaml);
        Assert.Contains($"    image: \"{name}\"\n", yaml);
        Assert.Equal(spec, ReadBack(yaml));
    }

    [Fact]
    public void Write_ImagePathWithOddCharacters_ReadsBackEqual()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("we\"ird #dir: ü/ image\\.qcow2", "");
        var spec = new FleetSpec(
            new ValueList<VmSpec>([Tiny("db") with { Image = "disk", Health = null }]),
            new ValueList<ImageSpec>([new ImageSpec("disk", path, Fleet.Sha, DiskFormat.Qcow2)]));

        Assert.Equal(spec, ReadBack(FleetYaml.Write(spec)));
    }

    [Fact]
    public void Write_RepresentativeFleet_GivesTheDocumentedText()
    {
        var spec = EveryField("/var/lib/hangar/images/debian-12.qcow2");

        Assert.Equal("""
            settings:
              orphans: keep

            images:
              debian:
                path: "/var/lib/hangar/images/debian-12.qcow2"
                sha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                format: qcow2
              raw-disk:
                path: "/var/lib/hangar/images/debian-12.qcow2"
                sha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                format: raw

            vms:
              db:
                image: debian
                vcpu: 2
                memory: 2GiB
                disk: 20GiB
                forwards: ["5432:5432/tcp"]
                autostart: false
                restart: on-failure
                health:
                  tcp: 5432
                  timeout: 120s
                  interval: 10s
                  failures: 3
                  restart: false
                identity: false
                display: none

              scratch:
                image: raw-disk
                vcpu: 64
                memory: 1536MiB
                forwards: []
                autostart: true
                restart: never
                identity: false
                display: none

              web:
                image: tiny
                vcpu: 4
                memory: 512MiB
                disk: 1MiB
                kernelArgs: "quiet loglevel=3"
                forwards: ["8080:80/tcp", "5353:53/udp"]
                autostart: true
                restart: always
                health:
                  serial: "login:"
                  timeout: 1500ms
                  restart: false
                identity: false
                display: none

            """, FleetYaml.Write(spec));
    }
}
