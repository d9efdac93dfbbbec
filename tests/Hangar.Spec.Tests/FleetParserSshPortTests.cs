namespace Hangar.Spec.Tests;

/// <summary>Automatic SSH host ports for VMs with a cloud-init guest: from settings.sshPorts, stable across generations.</summary>
public sealed class FleetParserSshPortTests
{
    private static FleetSpec Parse(string text, FleetSpec? current)
    {
        var result = FleetParser.Parse(text, Fleet.FileName, Path.GetTempPath(), current);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Spec!;
    }

    [Fact]
    public void Parse_Debian12Vms_GetPortsFrom2223AndAForwardToGuestPort22()
    {
        var spec = Fleet.Valid("vms:\n  a: { image: debian-12 }\n  b: { image: debian-12 }\n  t: { image: tiny }\n");

        Assert.Equal([2223, 2224, null], spec.Vms.Select(v => v.SshPort));
        Assert.Equal([new PortForward(2223, 22, PortProtocol.Tcp)], spec.FindVm("a")!.Forwards);
        Assert.Empty(spec.FindVm("t")!.Forwards);
        Assert.Equal(SpecDefaults.Debian12Health, spec.FindVm("a")!.Health);
    }

    [Fact]
    public void Parse_NewVmBeforeAnExistingOneByName_TheExistingVmKeepsItsPort()
    {
        var first = Parse("vms:\n  m: { image: debian-12 }\n", null);
        var second = Parse("vms:\n  a: { image: debian-12 }\n  m: { image: debian-12 }\n", first);

        Assert.Equal(2223, first.FindVm("m")!.SshPort);
        Assert.Equal(2223, second.FindVm("m")!.SshPort);
        Assert.Equal(2224, second.FindVm("a")!.SshPort);
        Assert.DoesNotContain(FleetDiff.Compare(first, second), c => c.Vm == "m" && c.Kind != VmChangeKind.Unchanged);
    }

    [Fact]
    public void Parse_PortForwardedExplicitly_IsSkippedAndAnOwnForwardOf22MeansNoAutomaticPort()
    {
        var spec = Fleet.Valid("vms:\n  a: { image: debian-12 }\n  b: { image: tiny, forwards: [\"2223:80\"] }\n  c: { image: debian-12, forwards: [\"2022:22\"] }\n");

        Assert.Equal(2224, spec.FindVm("a")!.SshPort);
        Assert.Null(spec.FindVm("c")!.SshPort);
        Assert.Equal([new PortForward(2022, 22, PortProtocol.Tcp)], spec.FindVm("c")!.Forwards);
    }

    [Fact]
    public void Parse_SshPortsSetting_IsTheRangeAndARangeRunOutIsAnErrorAtTheVm()
    {
        var spec = Fleet.Valid("settings: { sshPorts: 3000-3001 }\nvms:\n  a: { image: debian-12 }\n  b: { image: debian-12 }\n");
        Assert.Equal([3000, 3001], spec.Vms.Select(v => v.SshPort));

        var error = Fleet.SingleError("settings: { sshPorts: 3000-3000 }\nvms:\n  a: { image: debian-12 }\n  b: { image: debian-12 }\n");
        Assert.Equal((4, 6, "vms.b"), (error.Line, error.Column, error.Path));
        Assert.Contains("No SSH port is left for VM 'b' in settings.sshPorts 3000-3000", error.Message);
    }

    [Theory]
    [InlineData("22-80")]
    [InlineData("3000")]
    [InlineData("3001-3000")]
    public void Parse_BadSshPorts_NamesTheSetting(string range)
    {
        var error = Fleet.SingleError($"settings: {{ sshPorts: \"{range}\" }}\nvms: {{}}\n");

        Assert.Equal("settings.sshPorts", error.Path);
        Assert.Contains("is not a port range", error.Message);
    }

    [Fact]
    public void Deserialize_StoredSpecWithSshPort_KeepsIt()
    {
        var spec = Fleet.Valid("vms:\n  a: { image: debian-12 }\n");

        Assert.Equal(2223, FleetJson.Deserialize(FleetJson.Serialize(spec)).Vms[0].SshPort);
    }
}
