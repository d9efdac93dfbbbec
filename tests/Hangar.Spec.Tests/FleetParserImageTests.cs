namespace Hangar.Spec.Tests;

/// <summary>The <c>images</c> mapping: its names, fields and files.</summary>
public sealed class FleetParserImageTests
{
    [Fact]
    public void Parse_ImageNamedTiny_IsReservedForTheBuiltinImage()
    {
        using var dir = new TempDirectory();
        dir.Write("t.raw", "");
        var error = Fleet.SingleError($$"""
            images:
              tiny: { path: t.raw, sha256: {{Fleet.Sha}} }
            vms: {}
            """, dir.Path);

        Assert.Equal("fleet.yaml:2:3: images.tiny: 'tiny' is the built-in image's name; give this image another name",
            error.ToString());
    }

    [Fact]
    public void Parse_ImageWithoutPathAndDigest_ReportsBothAtTheImageMapping()
    {
        var errors = Fleet.Errors("images:\n  debian:\n    format: qcow2\nvms: {}\n");

        Assert.Equal([
            "fleet.yaml:3:5: images.debian.path: Missing required field 'path': the image file, absolute or relative to the fleet file",
            "fleet.yaml:3:5: images.debian.sha256: Missing required field 'sha256': the file's SHA-256 digest, 64 hex digits",
        ], errors);
    }

    [Fact]
    public void Parse_ShortDigestAndUnknownFormat_ReportsBoth()
    {
        using var dir = new TempDirectory();
        dir.Write("d.img", "");
        var errors = Fleet.Errors("""
            images:
              debian:
                path: d.img
                sha256: abc123
                format: vmdk
            vms: {}
            """, dir.Path);

        Assert.Equal([
            "fleet.yaml:4:13: images.debian.sha256: 'abc123' is not a SHA-256 digest; write its 64 hex digits",
            "fleet.yaml:5:13: images.debian.format: 'vmdk' is not one of qcow2, raw",
        ], errors);
    }

    [Fact]
    public void Parse_AbsoluteImagePath_IsKeptAsIs()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("abs.qcow2", "");

        var spec = Fleet.Valid($$"""
            images:
              a: { path: "{{file}}", sha256: {{Fleet.Sha}} }
            vms: {}
            """, "/somewhere/else");

        Assert.Equal(file, spec.Images[0].Path);
    }
}
