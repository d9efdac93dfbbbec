namespace Hangar.Spec.Tests;

public sealed class FleetParserValidTests
{
    [Fact]
    public void Parse_MinimalTinyVm_FillsEveryDefault()
    {
        var spec = Fleet.Valid("""
            vms:
              web:
                image: tiny
            """);

        var vm = Assert.Single(spec.Vms);
        Assert.Equal(new VmSpec("web", "tiny", 1, ByteSize.FromMiB(256), null, null, ValueList<PortForward>.Empty,
            true, RestartPolicy.Always, new HealthCheckSpec("hangar-tiny: ready", null, TimeSpan.FromSeconds(120))), vm);
        Assert.Empty(spec.Images);
    }

    [Fact]
    public void Parse_EveryVmField_ReadsEachValue()
    {
        var spec = Fleet.Valid("""
            vms:
              api:
                image: tiny
                vcpu: 4
                memory: 1GiB
                disk: 512MiB
                kernelArgs: "quiet loglevel=3"
                forwards: ["8080:80", "5353:53/udp", "2222:22/tcp"]
                autostart: false
                restart: on-failure
                health:
                  tcp: 80
                  timeout: 500ms
            """);

        Assert.Equal(new VmSpec("api", "tiny", 4, ByteSize.FromMiB(1024), ByteSize.FromMiB(512), "quiet loglevel=3",
            new ValueList<PortForward>([
                new PortForward(8080, 80, PortProtocol.Tcp),
                new PortForward(5353, 53, PortProtocol.Udp),
                new PortForward(2222, 22, PortProtocol.Tcp),
            ]),
            false, RestartPolicy.OnFailure, new HealthCheckSpec(null, 80, TimeSpan.FromMilliseconds(500))), spec.Vms[0]);
    }

    [Fact]
    public void Parse_HealthWithoutTimeout_UsesDefaultTimeout()
    {
        var spec = Fleet.Valid("""
            vms:
              web: { image: tiny, health: { serial: "login:" } }
            """);

        Assert.Equal(new HealthCheckSpec("login:", null, SpecDefaults.HealthTimeout), spec.Vms[0].Health);
    }

    [Fact]
    public void Parse_FileImageWithRelativePath_ResolvesAgainstBaseDirectoryAndLowercasesDigest()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("images/debian.qcow2", "not really qcow2");

        var spec = Fleet.Valid($"""
            images:
              debian:
                path: images/debian.qcow2
                sha256: {Fleet.Sha.ToUpperInvariant()}
              scratch:
                path: images/debian.qcow2
                sha256: {Fleet.Sha}
                format: raw
            vms:
              db:
                image: debian
            """, dir.Path);

        Assert.Equal(
            [new ImageSpec("debian", file, Fleet.Sha, DiskFormat.Qcow2), new ImageSpec("scratch", file, Fleet.Sha, DiskFormat.Raw)],
            spec.Images);
        Assert.Null(spec.Vms[0].Health);
    }

    [Fact]
    public void Parse_VmsAndImagesOutOfOrder_SortsThemByOrdinalName()
    {
        using var dir = new TempDirectory();
        dir.Write("a.img", "");
        var spec = Fleet.Valid($$"""
            images:
              zeta: { path: a.img, sha256: {{Fleet.Sha}} }
              alpha: { path: a.img, sha256: {{Fleet.Sha}} }
            vms:
              web-2: { image: tiny }
              db: { image: zeta }
              web-10: { image: alpha }
            """, dir.Path);

        Assert.Equal(["db", "web-10", "web-2"], spec.Vms.Select(v => v.Name));
        Assert.Equal(["alpha", "zeta"], spec.Images.Select(i => i.Name));
    }

    [Fact]
    public void Parse_EmptyVmsMapping_GivesEmptyFleet()
    {
        var spec = Fleet.Valid("vms: {}\n");

        Assert.Equal(new FleetSpec(ValueList<VmSpec>.Empty, ValueList<ImageSpec>.Empty), spec);
    }

    [Fact]
    public void Parse_JsonWithSameStructure_GivesSameSpecAsYaml()
    {
        var yaml = Fleet.Valid("""
            vms:
              web:
                image: tiny
                vcpu: 2
                memory: 512MiB
                forwards: ["8080:80"]
                autostart: false
                health: { tcp: 80, timeout: 30s }
            """);
        var json = Fleet.Valid("""
            {
              "vms": {
                "web": {
                  "image": "tiny",
                  "vcpu": 2,
                  "memory": "512MiB",
                  "forwards": ["8080:80"],
                  "autostart": false,
                  "health": {"tcp": 80, "timeout": "30s"}
                }
              }
            }
            """);

        Assert.Equal(yaml, json);
    }

    [Theory]
    [InlineData("{\"vms\":{\"web\":{\"image\":\"tiny\",\"forwards\":[\"8080:80\"]}}}")]
    [InlineData("{\n\t\"vms\": {\n\t\t\"web\": {\"image\": \"tiny\", \"forwards\": [\"8080:80\"]}\n\t}\n}\n")]
    public void Parse_CompactOrTabIndentedJson_IsValid(string json)
    {
        var spec = Fleet.Valid(json);

        Assert.Equal(new PortForward(8080, 80, PortProtocol.Tcp), spec.Vms[0].Forwards.Single());
    }

    [Fact]
    public void Parse_AnchorsAndAliases_AreResolved()
    {
        var spec = Fleet.Valid("""
            vms:
              a: &base { image: tiny, vcpu: 2 }
              b: *base
            """);

        Assert.Equal(spec.Vms[0] with { Name = "b" }, spec.Vms[1]);
    }
}
