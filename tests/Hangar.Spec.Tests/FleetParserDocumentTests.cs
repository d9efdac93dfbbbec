namespace Hangar.Spec.Tests;

/// <summary>Whole-file behaviour: syntax errors, many errors at once, JSON positions, reading files.</summary>
public sealed class FleetParserDocumentTests
{
    [Fact]
    public void Parse_SeveralMistakes_ReportsAllInFileOrder()
    {
        var errors = Fleet.Errors("""
            vms:
              web:
                image: tiny
                vcpu: 0
                forwards: ["8080:80"]
              api:
                image: tiny
                memory: 1
                forwards: ["8080:81", "8080:82"]
                colour: blue
              Bad:
                image: nope
            """);

        Assert.Equal([
            "fleet.yaml:4:11: vms.web.vcpu: Expected an integer from 1 to 64, found 0",
            "fleet.yaml:8:13: vms.api.memory: '1' has no unit; write it with one, like 1MiB",
            "fleet.yaml:9:27: vms.api.forwards[1]: Host port 8080/tcp is already forwarded by this VM (vms.api.forwards[0]); use another host port",
            "fleet.yaml:10:5: vms.api.colour: Unknown field 'colour'; valid fields are image, vcpu, memory, disk, kernelArgs, forwards, autostart, restart, health, placement, guest, credentials, identity, volumes, display, interfaces, vsock, shares, balloon",
            "fleet.yaml:11:3: vms.Bad: 'Bad' is not a valid VM name; use 1 to 63 lowercase letters, digits and '-', starting with a letter and not ending with '-'",
            "fleet.yaml:12:12: vms.Bad.image: Unknown image 'nope'; declare it under 'images' or use one of tiny, debian-12",
        ], errors);
    }

    [Fact]
    public void Parse_YamlSyntaxError_GivesOneErrorWithItsLocation()
    {
        var error = Fleet.SingleError("vms:\n  web:\n    image: tiny\n   vcpu: 2\n  bad: [1, 2\n");

        Assert.Equal(("fleet.yaml", 4, 4, ""), (error.File, error.Line, error.Column, error.Path));
        Assert.StartsWith("Invalid YAML: ", error.Message);
    }

    [Fact]
    public void Parse_FlowMappingContinuedByALessIndentedLine_IsAYamlErrorNotACrash()
    {
        // YamlDotNet's scanner throws a bare InvalidOperationException here (found by FleetParserFuzzTests).
        var error = Fleet.SingleError("vms: {web: 1\n- x\n");

        Assert.Equal((1, 10), (error.Line, error.Column)); // the end of the last thing read: "web"
        Assert.Equal("Invalid YAML: Cannot read the YAML after this point; check the brackets and the indentation of the lines that follow", error.Message);
    }

    [Fact]
    public void Parse_UnclosedJsonObject_GivesOneErrorWithItsLocation()
    {
        var error = Fleet.SingleError("{\n  \"vms\": {\n    \"web\": {\"image\": \"tiny\"}\n");

        Assert.Equal(4, error.Line);
        Assert.StartsWith("Invalid YAML: ", error.Message);
    }

    [Fact]
    public void Parse_JsonWithMistakes_ReportsJsonPositions()
    {
        var errors = Fleet.Errors("""
            {
              "vms": {
                "web": {"image": "tiny", "vcpu": "2"},
                "db": {"imag": "tiny"}
              }
            }
            """);

        Assert.Equal([
            "fleet.yaml:3:38: vms.web.vcpu: Expected an integer from 1 to 64, found the string '2'; write the number without quotes",
            "fleet.yaml:4:11: vms.db.image: Missing required field 'image': 'tiny', 'debian-12' or the name of an image under 'images'",
            "fleet.yaml:4:12: vms.db.imag: Unknown field 'imag'; did you mean 'image'?",
        ], errors);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# just a comment\n")]
    public void Parse_NoDocument_SaysTheFileIsEmpty(string text)
    {
        var error = Fleet.SingleError(text);

        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.StartsWith("The file is empty", error.Message);
    }

    [Fact]
    public void Parse_TwoDocuments_IsAnErrorAtTheSecond()
    {
        var error = Fleet.SingleError("vms: {}\n---\nvms: {}\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("second YAML document", error.Message);
    }

    [Fact]
    public void Parse_ScalarRoot_NamesTheExpectedMapping()
    {
        var error = Fleet.SingleError("hello\n");

        Assert.Equal("fleet.yaml:1:1: Expected a mapping with 'vms' and optionally 'images' and 'settings', found 'hello'", error.ToString());
    }

    [Fact]
    public void ParseFile_MissingFile_GivesOneErrorAtFileStart()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "nope.yaml");

        var result = FleetParser.ParseFile(path);

        Assert.Null(result.Spec);
        Assert.Equal(new SpecError(path, 1, 1, "", "The fleet file does not exist"), Assert.Single(result.Errors));
    }

    [Fact]
    public void ParseFile_Directory_GivesOneErrorAtFileStart()
    {
        using var dir = new TempDirectory();

        var error = Assert.Single(FleetParser.ParseFile(dir.Path).Errors);

        Assert.Equal((1, 1, "It is a directory, not a fleet file"), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void ParseFile_RelativeImagePath_ResolvesAgainstTheFilesDirectory()
    {
        using var dir = new TempDirectory();
        var image = dir.Write("fleet/img/a.raw", "");
        var fleet = dir.Write("fleet/fleet.yaml", $$"""
            images:
              a: { path: img/a.raw, sha256: {{Fleet.Sha}}, format: raw }
            vms:
              x: { image: a }
            """);

        var result = FleetParser.ParseFile(fleet);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(image, result.Spec!.Images[0].Path);
    }

    [Fact]
    public void ParseFile_InvalidFile_NamesTheFileInErrors()
    {
        using var dir = new TempDirectory();
        var fleet = dir.Write("f.yaml", "vms:\n  web: {}\n");

        var error = Assert.Single(FleetParser.ParseFile(fleet).Errors);

        Assert.Equal($"{fleet}:2:8: vms.web.image: Missing required field 'image': 'tiny', 'debian-12' or the name of an image under 'images'",
            error.ToString());
    }
}
