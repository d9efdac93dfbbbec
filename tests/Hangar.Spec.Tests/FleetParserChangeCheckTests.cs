namespace Hangar.Spec.Tests;

/// <summary>Checks of a file against the generation it would replace, and against its images' memory floors.</summary>
public sealed class FleetParserChangeCheckTests
{
    private static SpecResult ParseOver(string current, string next) =>
        FleetParser.Parse(next, Fleet.FileName, Path.GetTempPath(), Fleet.Valid(current));

    [Fact]
    public void Parse_DiskShrinksOnTheSameImage_IsAnErrorThatExplainsWhy()
    {
        var result = ParseOver("vms: { web: { image: tiny, disk: 512MiB } }", "vms:\n  web:\n    image: tiny\n    disk: 256MiB\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal(
            "fleet.yaml:4:11: vms.web.disk: VM 'web' has a 512MiB disk in the current generation; 256MiB would shrink it and " +
            "lose the data past 256MiB, so Hangar never shrinks a disk. Keep 'disk: 512MiB' or more (or give the VM a new image, " +
            "which starts it on a new disk)", error.ToString());
        Assert.Null(result.Spec);
    }

    [Fact]
    public void Parse_DiskGrowsOrStays_IsValid()
    {
        Assert.True(ParseOver("vms: { web: { image: tiny, disk: 512MiB } }", "vms: { web: { image: tiny, disk: 1GiB } }").IsValid);
        Assert.True(ParseOver("vms: { web: { image: tiny, disk: 512MiB } }", "vms: { web: { image: tiny, disk: 512MiB } }").IsValid);
        // Without a current generation there is nothing to shrink.
        Assert.True(Fleet.Parse("vms: { web: { image: tiny, disk: 1MiB } }").IsValid);
    }

    [Fact]
    public void Parse_SmallerDiskOnANewImage_IsValidBecauseTheDiskIsNew()
    {
        using var dir = new TempDirectory();
        dir.Write("d.qcow2", "");
        var images = $"images: {{ debian: {{ path: d.qcow2, sha256: {Fleet.Sha} }} }}\n";
        var current = Fleet.Valid(images + "vms: { web: { image: tiny, disk: 2GiB } }", dir.Path);

        var result = FleetParser.Parse(images + "vms: { web: { image: debian, disk: 1GiB } }", Fleet.FileName, dir.Path, current);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Parse_MemoryBelowTinysFloor_NamesTheFloorAndTheField()
    {
        var error = Fleet.SingleError("vms:\n  web:\n    image: tiny\n    memory: 64MiB\n");

        Assert.Equal(
            $"fleet.yaml:4:13: vms.web.memory: Memory 64MiB is below what image 'tiny' boots with: at least {BuiltinImages.TinyMinMemory}; " +
            $"the guest would hang without a word. Give 'memory: {BuiltinImages.TinyMinMemory}' or more", error.ToString());
    }

    [Fact]
    public void Parse_TinyAtItsFloor_IsValid()
    {
        Assert.True(Fleet.Parse($"vms: {{ web: {{ image: tiny, memory: {BuiltinImages.TinyMinMemory} }} }}").IsValid);
    }

    [Fact]
    public void Parse_FileImageMinMemoryAboveTheDefault_ReportsAtTheVmWhenMemoryIsLeftOut()
    {
        using var dir = new TempDirectory();
        dir.Write("d.qcow2", "");
        var error = Fleet.SingleError($$"""
            images:
              debian: { path: d.qcow2, sha256: {{Fleet.Sha}}, minMemory: 512MiB }
            vms:
              db:
                image: debian
            """, dir.Path);

        Assert.Equal("vms.db.memory", error.Path);
        Assert.Equal(5, error.Line);
        Assert.Equal("Memory the default 256MiB is below what image 'debian' boots with (its 'minMemory'): at least 512MiB; " +
                     "the guest would hang without a word. Give 'memory: 512MiB' or more", error.Message);
    }

    [Fact]
    public void Parse_FileImageMinMemory_IsKeptInTheSpecAndRoundTrips()
    {
        using var dir = new TempDirectory();
        dir.Write("d.qcow2", "");
        var spec = Fleet.Valid($"images: {{ debian: {{ path: d.qcow2, sha256: {Fleet.Sha}, minMemory: 512MiB }} }}\nvms: {{ db: {{ image: debian, memory: 1GiB }} }}", dir.Path);

        Assert.Equal(ByteSize.FromMiB(512), spec.FindImage("debian")!.MinMemory);
        Assert.Equal(spec, FleetJson.Deserialize(FleetJson.Serialize(spec)));
        Assert.Equal(spec, Fleet.Valid(FleetYaml.Write(spec), dir.Path));
    }
}
