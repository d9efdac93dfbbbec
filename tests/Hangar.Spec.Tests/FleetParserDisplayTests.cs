namespace Hangar.Spec.Tests;

/// <summary><c>display: vnc</c>: a VNC port per VM from settings.vncPorts, stable across generations, shared with no forward.</summary>
public sealed class FleetParserDisplayTests
{
    private static FleetSpec Parse(string text, FleetSpec? current)
    {
        var result = FleetParser.Parse(text, Fleet.FileName, Path.GetTempPath(), current);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Spec!;
    }

    [Fact]
    public void Parse_VmsWithVnc_GetPortsFrom5900AndOthersNone()
    {
        var spec = Fleet.Valid("vms:\n  a: { image: tiny, display: vnc }\n  b: { image: debian-12, display: vnc }\n  c: { image: tiny, display: none }\n  d: { image: tiny }\n");

        Assert.Equal([5900, 5901, null, null], spec.Vms.Select(v => v.VncPort));
        Assert.Empty(spec.FindVm("a")!.Forwards); // a display is no guest forward
    }

    [Fact]
    public void Parse_NewVmBeforeAnExistingOne_TheExistingVmKeepsItsPortAndIsUnchanged()
    {
        var first = Parse("vms:\n  m: { image: tiny, display: vnc }\n", null);
        var second = Parse("vms:\n  a: { image: tiny, display: vnc }\n  m: { image: tiny, display: vnc }\n", first);

        Assert.Equal(5900, second.FindVm("m")!.VncPort);
        Assert.Equal(5901, second.FindVm("a")!.VncPort);
        Assert.DoesNotContain(FleetDiff.Compare(first, second), c => c.Vm == "m" && c.Kind != VmChangeKind.Unchanged);
    }

    [Fact]
    public void Parse_ForwardOnAVncPort_IsSkipped()
    {
        var spec = Fleet.Valid("vms:\n  a: { image: tiny, display: vnc }\n  b: { image: tiny, forwards: [\"5900:80\"] }\n");

        Assert.Equal(5901, spec.FindVm("a")!.VncPort);
    }

    [Fact]
    public void Parse_SshAndVncRangesOverlapping_NeverGiveOnePortTwice()
    {
        var spec = Fleet.Valid("settings: { sshPorts: 6000-6001, vncPorts: 6000-6001 }\nvms:\n  a: { image: debian-12, display: vnc }\n");

        Assert.Equal((6000, 6001), (spec.Vms[0].SshPort!.Value, spec.Vms[0].VncPort!.Value));
    }

    [Fact]
    public void Parse_VncPortsRunOut_IsAnErrorAtTheVm()
    {
        var error = Fleet.SingleError("settings: { vncPorts: 5900-5900 }\nvms:\n  a: { image: tiny, display: vnc }\n  b: { image: tiny, display: vnc }\n");

        Assert.Equal((4, 6, "vms.b"), (error.Line, error.Column, error.Path));
        Assert.Contains("No VNC port is left for VM 'b' in settings.vncPorts 5900-5900", error.Message);
    }

    [Theory]
    [InlineData("5800-5900")]
    [InlineData("5901")]
    [InlineData("6001-6000")]
    public void Parse_VncPortsNotARangeFrom5900_IsAnErrorSayingWhy(string range)
    {
        var error = Fleet.SingleError($"settings: {{ vncPorts: \"{range}\" }}\nvms: {{}}\n");

        Assert.Equal("settings.vncPorts", error.Path);
        Assert.Contains("5900 <= FIRST <= LAST <= 65535", error.Message);
    }

    [Fact]
    public void Parse_DisplayThatIsNoKind_IsAnErrorAtIt()
    {
        var error = Fleet.SingleError("vms:\n  a:\n    image: tiny\n    display: spice\n");

        Assert.Equal((4, 14, "vms.a.display"), (error.Line, error.Column, error.Path));
        Assert.Contains("'spice' is not a display; use 'vnc'", error.Message);
    }

    [Fact]
    public void Diff_DisplayTurnedOn_IsARestartThatNamesThePort()
    {
        var before = Fleet.Valid("vms:\n  a: { image: tiny }\n");
        var after = Parse("vms:\n  a: { image: tiny, display: vnc }\n", before);

        var change = Assert.Single(Assert.Single(FleetDiff.Compare(before, after)).Fields, f => f.Field == "display");

        Assert.Equal(("none", "vnc on 127.0.0.1:5900", true), (change.Old, change.New, change.NeedsRestart));
    }

    [Fact]
    public void Deserialize_StoredVmWithoutDisplay_HasNoneAndWritesNoField()
    {
        var json = FleetJson.Serialize(Fleet.Valid("vms:\n  a: { image: tiny }\n"));

        Assert.DoesNotContain("vnc", json, StringComparison.OrdinalIgnoreCase);
        Assert.Null(FleetJson.Deserialize(json).Vms[0].VncPort);
        Assert.Equal(5900, FleetJson.Deserialize(FleetJson.Serialize(Fleet.Valid("vms:\n  a: { image: tiny, display: vnc }\n"))).Vms[0].VncPort);
    }
}
