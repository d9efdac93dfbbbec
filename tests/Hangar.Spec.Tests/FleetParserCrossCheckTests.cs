namespace Hangar.Spec.Tests;

/// <summary>Checks that span fields, VMs and images.</summary>
public sealed class FleetParserCrossCheckTests
{
    [Fact]
    public void Parse_MisspelledImage_SuggestsTheDeclaredImage()
    {
        using var dir = new TempDirectory();
        dir.Write("d.qcow2", "");
        var error = Fleet.SingleError($$"""
            images:
              debian: { path: d.qcow2, sha256: {{Fleet.Sha}} }
            vms:
              db:
                image: debain
            """, dir.Path);

        Assert.Equal("fleet.yaml:5:12: vms.db.image: Unknown image 'debain'; did you mean 'debian'?", error.ToString());
    }

    [Fact]
    public void Parse_UnknownImageFarFromAny_ListsTheValidImages()
    {
        var error = Fleet.SingleError("vms:\n  db:\n    image: ubuntu\n");

        Assert.Equal("Unknown image 'ubuntu'; declare it under 'images' or use one of tiny, debian-12", error.Message);
    }

    [Fact]
    public void Parse_ImageDeclaredWithErrors_DoesNotAlsoReportTheVmsImageAsUnknown()
    {
        var error = Fleet.SingleError("""
            images:
              debian:
                path: missing.qcow2
                sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
            vms:
              db: { image: debian }
            """, "/nonexistent-dir");

        Assert.Equal((3, 11, "images.debian.path"), (error.Line, error.Column, error.Path));
        Assert.Equal("The image file '/nonexistent-dir/missing.qcow2' does not exist", error.Message);
    }

    [Fact]
    public void Parse_KernelArgsWithFileImage_IsAnError()
    {
        using var dir = new TempDirectory();
        dir.Write("d.qcow2", "");
        var error = Fleet.SingleError($$"""
            images:
              debian: { path: d.qcow2, sha256: {{Fleet.Sha}} }
            vms:
              db:
                image: debian
                kernelArgs: quiet
            """, dir.Path);

        Assert.Equal((6, 17, "vms.db.kernelArgs"), (error.Line, error.Column, error.Path));
        Assert.Equal("'kernelArgs' only applies to images that boot a kernel directly ('tiny', 'debian-12'); " +
                     "image 'debian' is a disk image, so remove it", error.Message);
    }

    [Fact]
    public void Parse_SameHostPortInTwoVmsPinnedToOneHost_IsReportedAtTheSecondNamingTheFirst()
    {
        var error = Fleet.SingleError("""
            vms:
              web:
                image: tiny
                forwards: ["8080:80"]
                placement: {host: h1}
              api:
                image: tiny
                placement: {host: h1}
                forwards:
                  - "9090:90"
                  - "8080:8080/tcp"
            """);

        Assert.Equal("fleet.yaml:11:9: vms.api.forwards[1]: Host port 8080/tcp is already forwarded by VM 'web' " +
                     "(vms.web.forwards[0]), pinned to the same host h1; use another host port", error.ToString());
    }

    [Fact]
    public void Parse_SameHostPortInTwoVmsThatMayRunApart_IsValid()
    {
        var spec = Fleet.Valid("""
            vms:
              web-1: { image: tiny, forwards: ["8080:80"] }
              web-2: { image: tiny, forwards: ["8080:80"], placement: {host: h2} }
            """);

        Assert.Equal(2, spec.Vms.Count);
    }

    [Fact]
    public void Parse_SameHostPortInOneVm_NamesThisVm()
    {
        var error = Fleet.SingleError("vms:\n  web: { image: tiny, forwards: [\"53:53/udp\", \"53:5353/udp\"] }\n");

        Assert.Equal((2, 47, "vms.web.forwards[1]"), (error.Line, error.Column, error.Path));
        Assert.Contains("already forwarded by this VM (vms.web.forwards[0])", error.Message);
    }

    [Fact]
    public void Parse_SameHostPortWithDifferentProtocols_IsValid()
    {
        var spec = Fleet.Valid("""
            vms:
              dns: { image: tiny, forwards: ["5353:53/udp"] }
              web: { image: tiny, forwards: ["5353:53"] }
            """);

        Assert.Equal(2, spec.Vms.Count);
    }

    [Fact]
    public void Parse_HealthTcpWithoutForwardToThatPort_IsReportedAtTheTcpField()
    {
        var error = Fleet.SingleError("""
            vms:
              web:
                image: tiny
                forwards: ["8080:8080", "9000:80/udp"]
                health:
                  tcp: 80
            """);

        Assert.Equal("fleet.yaml:6:12: vms.web.health.tcp: No tcp forward to guest port 80 in this VM; " +
                     "add one to 'forwards', like \"8080:80\"", error.ToString());
    }

    [Fact]
    public void Parse_HealthTcpForwardInAnotherVm_DoesNotCount()
    {
        var error = Fleet.SingleError("""
            vms:
              a: { image: tiny, forwards: ["8080:80"] }
              b: { image: tiny, health: { tcp: 80 } }
            """);

        Assert.Equal("vms.b.health.tcp", error.Path);
    }
}
