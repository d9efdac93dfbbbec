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
            "fleet.yaml:3:5: images.debian: The image needs a 'path' (a file on this machine, uploaded to the server) or a 'url' (downloaded by each agent)",
            "fleet.yaml:3:5: images.debian.sha256: Missing required field 'sha256': the image's SHA-256 digest, 64 hex digits",
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

    [Fact]
    public void Parse_UrlImage_KeepsTheUrlAndHasNoPath()
    {
        var spec = Fleet.Valid($$"""
            images:
              cloud:
                url: https://images.example.org/debian-12.qcow2
                sha256: {{Fleet.Sha}}
            vms: {}
            """);

        Assert.Equal(new ImageSpec("cloud", null, Fleet.Sha, DiskFormat.Qcow2, null, "https://images.example.org/debian-12.qcow2"), spec.Images.Single());
    }

    [Fact]
    public void Parse_PathAndUrl_IsAnErrorAtTheUrl()
    {
        using var dir = new TempDirectory();
        dir.Write("d.img", "");
        var error = Fleet.SingleError($"images:\n  d:\n    path: d.img\n    url: http://x.example/d.img\n    sha256: {Fleet.Sha}\nvms: {{}}\n", dir.Path);

        Assert.Equal("fleet.yaml:4:10: images.d.url: An image has either a 'path' or a 'url', not both; remove one", error.ToString());
    }

    [Theory]
    [InlineData("ftp://x.example/d.img")]
    [InlineData("images/d.img")]
    [InlineData("https://user:secret@x.example/d.img")]
    public void Parse_UrlNotHttp_IsAnErrorAtTheUrl(string url)
    {
        var error = Fleet.SingleError($"images:\n  d:\n    url: {url}\n    sha256: {Fleet.Sha}\nvms: {{}}\n");

        Assert.Equal($"fleet.yaml:3:10: images.d.url: '{url}' is not an http or https URL (like https://example.org/disk.qcow2, with no user or password in it)", error.ToString());
    }

    [Fact]
    public void Parse_MissingFileWhenFilesAreNotChecked_KeepsTheResolvedPath()
    {
        // As the control plane parses: the path names a file on the CLI's machine.
        var result = FleetParser.Parse($"images:\n  d:\n    path: ./d.img\n    sha256: {Fleet.Sha}\nvms: {{}}\n", "fleet.yaml", "/nowhere/here",
            null, ImageFileCheck.NotChecked);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("/nowhere/here/d.img", result.Spec!.Images.Single().Path);
    }
}
