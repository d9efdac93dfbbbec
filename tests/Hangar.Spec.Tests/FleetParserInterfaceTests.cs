using Hangar.Spec.Json;

namespace Hangar.Spec.Tests;

/// <summary>A VM's <c>interfaces</c> (user-mode and bridge NICs, MACs, addresses) and <c>vsock</c>.</summary>
public sealed class FleetParserInterfaceTests
{
    private const string TwoOnABridge =
        "vms:\n" +
        "  a:\n    image: tiny\n    interfaces:\n      - {type: user}\n      - {type: bridge, bridge: hgbr0, address: 10.0.0.1/24}\n" +
        "  b:\n    image: tiny\n    interfaces:\n      - {type: bridge, bridge: hgbr0, address: 10.0.0.2/24}\n";

    private static FleetSpec Parse(string text, FleetSpec? current = null)
    {
        var result = FleetParser.Parse(text, Fleet.FileName, Path.GetTempPath(), current);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Spec!;
    }

    [Fact]
    public void Parse_Interfaces_KeepsTheirOrderAndGivesEachADerivedMacUnderQemusPrefix()
    {
        var fleet = Parse(TwoOnABridge);
        var a = fleet.FindVm("a")!.Interfaces!.Value;
        var b = fleet.FindVm("b")!.Interfaces!.Value;

        Assert.Equal([InterfaceType.User, InterfaceType.Bridge], a.Select(i => i.Type));
        Assert.Equal("hgbr0", a[1].Bridge);
        Assert.Equal("10.0.0.1/24", a[1].Address);
        Assert.All(a.Concat(b), nic => Assert.Matches("^52:54:00(:[0-9a-f]{2}){3}$", nic.Mac));
        Assert.Equal(3, a.Concat(b).Select(n => n.Mac).Distinct().Count());
        // Derived from the VM's name and position: the same file gives the same MACs on any machine.
        Assert.Equal(a[1].Mac, Parse(TwoOnABridge).FindVm("a")!.Interfaces!.Value[1].Mac);
    }

    [Fact]
    public void Parse_NoInterfaces_IsTheDefaultUserNetworkAndAnEmptyListIsNone()
    {
        var fleet = Parse("vms:\n  a: {image: tiny}\n  b: {image: tiny, interfaces: []}\n");

        Assert.Null(fleet.FindVm("a")!.Interfaces);
        Assert.Empty(fleet.FindVm("b")!.Interfaces!.Value);
        Assert.Contains("vms.b.forwards[0]", Fleet.Errors("vms:\n  b: {image: tiny, interfaces: [], forwards: [\"8080:80\"]}\n")[0]);
    }

    [Fact]
    public void Parse_AutomaticMac_IsKeptFromTheCurrentGenerationEvenWhenAGivenOneWouldNowClash()
    {
        var first = Parse(TwoOnABridge);
        var mac = first.FindVm("b")!.Interfaces!.Value[0].Mac;

        // A new VM asks for b's MAC explicitly: that is the file's word, so b gets another one; but without the clash b keeps its own.
        var kept = Parse(TwoOnABridge + "  c:\n    image: tiny\n    interfaces: [{type: bridge, bridge: hgbr0}]\n", first);
        Assert.Equal(mac, kept.FindVm("b")!.Interfaces!.Value[0].Mac);

        var clash = Parse(TwoOnABridge + $"  c:\n    image: tiny\n    interfaces: [{{type: bridge, bridge: hgbr0, mac: \"{mac.ToUpperInvariant()}\"}}]\n", first);
        Assert.Equal(mac, clash.FindVm("c")!.Interfaces!.Value[0].Mac);
        Assert.NotEqual(mac, clash.FindVm("b")!.Interfaces!.Value[0].Mac);
    }

    [Fact]
    public void Parse_SameExplicitMacTwice_IsAnErrorAtTheSecondNamingTheFirst()
    {
        var error = Fleet.SingleError("vms:\n  a:\n    image: tiny\n    interfaces: [{type: bridge, bridge: br0, mac: \"52:54:00:00:00:01\"}]\n" +
            "  b:\n    image: tiny\n    interfaces: [{type: bridge, bridge: br0, mac: \"52:54:00:00:00:01\"}]\n");

        Assert.Equal("vms.b.interfaces[0].mac", error.Path);
        Assert.Equal(7, error.Line);
        Assert.Contains("MAC 52:54:00:00:00:01 is already given to VM 'a' (vms.a.interfaces[0].mac)", error.Message);
    }

    [Theory]
    [InlineData("{type: tap}", "vms.a.interfaces[0].type", "'tap' is not one of user, bridge")]
    [InlineData("{bridge: br0}", "vms.a.interfaces[0].type", "type")]
    [InlineData("{type: bridge}", "vms.a.interfaces[0].bridge", "bridge")]
    [InlineData("{type: bridge, bridge: a-bridge-name-too-long}", "vms.a.interfaces[0].bridge", "1–15 letters")]
    [InlineData("{type: user, bridge: br0}", "vms.a.interfaces[0].bridge", "a user-mode interface has no bridge")]
    [InlineData("{type: bridge, bridge: br0, mac: \"52:54:00:12:34\"}", "vms.a.interfaces[0].mac", "six pairs of hex digits")]
    [InlineData("{type: bridge, bridge: br0, mac: \"01:00:5e:00:00:01\"}", "vms.a.interfaces[0].mac", "multicast")]
    [InlineData("{type: bridge, bridge: br0, mac: \"00:00:00:00:00:00\"}", "vms.a.interfaces[0].mac", "all-zero")]
    [InlineData("{type: bridge, bridge: br0, address: 10.0.0.2}", "vms.a.interfaces[0].address", "prefix length")]
    [InlineData("{type: bridge, bridge: br0, address: 10.0.0.2/33}", "vms.a.interfaces[0].address", "1 to 32")]
    [InlineData("{type: bridge, bridge: br0, address: 10.1/8}", "vms.a.interfaces[0].address", "four numbers")]
    [InlineData("{type: user, address: 10.0.2.15/24}", "vms.a.interfaces[0].address", "QEMU's DHCP")]
    [InlineData("{type: bridge, bridge: br0, colour: red}", "vms.a.interfaces[0].colour", "Unknown field 'colour'")]
    public void Parse_BadInterface_IsAnErrorAtItsField(string item, string path, string message)
    {
        var error = Fleet.SingleError($"vms:\n  a:\n    image: tiny\n    interfaces:\n      - {item}\n");

        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Parse_TwoUserInterfacesOrNine_IsAnError()
    {
        Assert.Contains("A second user-mode interface", Fleet.SingleError("vms:\n  a:\n    image: tiny\n    interfaces: [{type: user}, {type: user}]\n").Message);
        var nine = string.Join(", ", Enumerable.Range(0, 9).Select(i => $"{{type: bridge, bridge: br{i}}}"));
        Assert.Contains("9 interfaces; a VM may have at most 8", Fleet.SingleError($"vms:\n  a:\n    image: tiny\n    interfaces: [{nine}]\n").Message);
    }

    [Fact]
    public void Parse_ForwardsWithoutAUserInterface_IsAnErrorAtTheForward()
    {
        var error = Fleet.SingleError("vms:\n  a:\n    image: tiny\n    forwards: [\"8080:80\"]\n    interfaces: [{type: bridge, bridge: br0}]\n");

        Assert.Equal("vms.a.forwards[0]", error.Path);
        Assert.Contains("add {type: user}", error.Message);
    }

    [Fact]
    public void Parse_Debian12WithOnlyABridge_GetsNoAutomaticSshPort()
    {
        var vm = Parse("vms:\n  a:\n    image: debian-12\n    memory: 512MiB\n    identity: false\n    interfaces: [{type: bridge, bridge: br0, address: dhcp}]\n").FindVm("a")!;

        Assert.Null(vm.SshPort);
        Assert.Equal(NetworkInterfaceSpec.Dhcp, vm.Interfaces!.Value[0].Address);
    }

    [Fact]
    public void Parse_AddressOnADiskImageWithoutGuest_IsAnErrorSayingNothingTellsTheGuest()
    {
        var error = Fleet.SingleError($"images:\n  os: {{path: /dev/null, sha256: {Fleet.Sha}}}\nvms:\n  a:\n    image: os\n    interfaces: [{{type: bridge, bridge: br0, address: 10.0.0.2/24}}]\n");

        Assert.Equal("vms.a.interfaces[0].address", error.Path);
        Assert.Contains("nothing tells the guest its address", error.Message);
    }

    [Fact]
    public void Parse_Vsock_AutomaticIdsStartAt3SkipGivenOnesAndAreKept()
    {
        var first = Parse("vms:\n  a: {image: tiny, vsock: true}\n  b: {image: tiny, vsock: 3}\n  c: {image: tiny, vsock: false}\n");
        Assert.Equal(4, first.FindVm("a")!.VsockCid);
        Assert.Equal(3, first.FindVm("b")!.VsockCid);
        Assert.Null(first.FindVm("c")!.VsockCid);

        var next = Parse("vms:\n  a: {image: tiny, vsock: true}\n  aa: {image: tiny, vsock: true}\n", first);
        Assert.Equal(4, next.FindVm("a")!.VsockCid);
        Assert.Equal(3, next.FindVm("aa")!.VsockCid);
    }

    [Theory]
    [InlineData("2", "0–2 are the hypervisor's")]
    [InlineData("4294967295", "3 to 4294967294")]
    [InlineData("yes", "Expected true")]
    public void Parse_BadVsock_IsAnErrorAtTheField(string value, string message)
    {
        var error = Fleet.SingleError($"vms:\n  a: {{image: tiny, vsock: {value}}}\n");

        Assert.Equal("vms.a.vsock", error.Path);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Parse_SameVsockCidTwice_IsAnError() =>
        Assert.Contains("vsock context id 7 is already VM 'a''s", Fleet.SingleError("vms:\n  a: {image: tiny, vsock: 7}\n  b: {image: tiny, vsock: 7}\n").Message);

    [Fact]
    public void StoredForm_WithoutInterfacesOrVsock_ReadsBackAsBefore()
    {
        var old = Parse("vms:\n  a: {image: tiny}\n");
        var json = FleetJson.Serialize(old);

        Assert.DoesNotContain("interfaces", json);
        Assert.DoesNotContain("vsock", json);
        Assert.Equal(old, FleetJson.Deserialize(json));
        var nets = Parse(TwoOnABridge + "  c: {image: tiny, vsock: true}\n");
        Assert.Equal(nets, FleetJson.Deserialize(FleetJson.Serialize(nets)));
    }

    [Fact]
    public void Diff_InterfaceChange_RestartsTheVmAndShowsBothLists()
    {
        var before = Parse(TwoOnABridge);
        var after = Parse(TwoOnABridge.Replace("10.0.0.2/24", "10.0.0.3/24", StringComparison.Ordinal), before);

        var change = FleetDiff.Compare(before, after).Single(v => v.Vm == "b").Fields.Single(f => f.Field == "interfaces");

        Assert.True(change.NeedsRestart);
        Assert.EndsWith("10.0.0.2/24", change.Old);
        Assert.EndsWith("10.0.0.3/24", change.New);
    }
}
