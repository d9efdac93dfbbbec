namespace Hangar.Spec.Tests;

/// <summary>The <c>placement</c> mapping of a VM: host pin, label selectors, movable.</summary>
public sealed class FleetParserPlacementTests
{
    [Fact]
    public void Parse_NoPlacement_IsAnywhereAndNotMovable()
    {
        var vm = Fleet.Valid("vms:\n  web: { image: tiny }\n").Vms[0];

        Assert.Same(VmPlacement.Anywhere, vm.Placement);
        Assert.False(vm.Placement.Movable);
    }

    [Fact]
    public void Parse_HostLabelsAndMovable_AreRead()
    {
        var vm = Fleet.Valid("""
            vms:
              web:
                image: tiny
                placement:
                  host: h1.example
                  labels: {zone: b, gpu: true}
                  movable: true
            """).Vms[0];

        Assert.Equal(new VmPlacement("h1.example", new([new PlacementLabel("gpu", "true"), new PlacementLabel("zone", "b")]), true), vm.Placement);
        Assert.Equal("host h1.example, labels gpu=true,zone=b, movable", vm.Placement.ToString());
    }

    [Theory]
    [InlineData("placement: {host: H1}", 4, 23, "vms.web.placement.host", "'H1' is not an agent name")]
    [InlineData("placement: {labels: {'-x': a}}", 4, 26, "vms.web.placement.labels.-x", "'-x' is not a label key")]
    [InlineData("placement: {labels: {gpu: 'a b'}}", 4, 31, "vms.web.placement.labels.gpu", "'a b' is not a label value")]
    [InlineData("placement: {labels: {gpu: [1]}}", 4, 31, "vms.web.placement.labels.gpu", "Expected the label's value")]
    [InlineData("placement: {movable: maybe}", 4, 26, "vms.web.placement.movable", "Expected true or false")]
    [InlineData("placement: {hots: h1}", 4, 17, "vms.web.placement.hots", "Unknown field 'hots'; did you mean 'host'?")]
    [InlineData("placement: h1", 4, 16, "vms.web.placement", "Expected a placement (a mapping with host, labels and movable)")]
    public void Parse_BadPlacement_NamesTheFieldAndWhatIsValid(string line, int row, int column, string path, string message)
    {
        var error = Fleet.SingleError($"vms:\n  web:\n    image: tiny\n    {line}\n");

        Assert.Equal((row, column, path), (error.Line, error.Column, error.Path));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Serialize_Placement_RoundTrips()
    {
        var spec = Fleet.Valid("vms:\n  web: { image: tiny, placement: { host: h1, labels: { gpu: 'true' }, movable: true } }\n");

        Assert.Equal(spec, FleetJson.Deserialize(FleetJson.Serialize(spec)));
    }

    [Fact]
    public void Compare_PlacementChanged_IsAnUpdateInPlace()
    {
        var before = Fleet.Valid("vms:\n  web: { image: tiny }\n");
        var after = Fleet.Valid("vms:\n  web: { image: tiny, placement: { host: h1 } }\n");

        var change = Assert.Single(FleetDiff.Compare(before, after));

        Assert.Equal(VmChangeKind.Update, change.Kind);
        Assert.Equal("placement: anywhere → host h1", Assert.Single(change.Fields).ToString());
    }
}
