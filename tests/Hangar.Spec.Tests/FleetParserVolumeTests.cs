namespace Hangar.Spec.Tests;

/// <summary>A VM's named <c>volumes</c>: sizes, formats, names the guest sees, and their limits.</summary>
public sealed class FleetParserVolumeTests
{
    [Fact]
    public void Parse_Volumes_SortedByNameWithQcow2ByDefault()
    {
        var vm = Fleet.Valid("vms:\n  db:\n    image: tiny\n    volumes:\n      logs: {size: 64MiB, format: raw}\n      data: {size: 1GiB}\n").Vms[0];

        Assert.Equal<VolumeSpec>([new VolumeSpec("data", ByteSize.FromMiB(1024), DiskFormat.Qcow2), new VolumeSpec("logs", ByteSize.FromMiB(64), DiskFormat.Raw)],
            vm.Volumes!.Value);
        Assert.Null(Fleet.Valid("vms:\n  db: {image: tiny, volumes: {}}\n").Vms[0].Volumes);
    }

    [Theory]
    [InlineData("Data: {size: 1GiB}", "vms.db.volumes.Data", "'Data' is not a volume name")]
    [InlineData("a-name-longer-than-20: {size: 1GiB}", "vms.db.volumes.a-name-longer-than-20", "serial, which holds 20")]
    [InlineData("data: {format: raw}", "vms.db.volumes.data.size", "size")]
    [InlineData("data: {size: 1GiB, format: vmdk}", "vms.db.volumes.data.format", "vmdk")]
    [InlineData("data: {size: 10KiB}", "vms.db.volumes.data.size", "")]
    [InlineData("data: {size: 1GiB, colour: red}", "vms.db.volumes.data.colour", "Unknown field 'colour'")]
    public void Parse_BadVolume_IsAnErrorAtItsField(string entry, string path, string message)
    {
        var error = Fleet.SingleError($"vms:\n  db:\n    image: tiny\n    volumes:\n      {entry}\n");

        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Parse_NineVolumes_IsAnErrorSayingEightIsTheMost()
    {
        var volumes = string.Concat(Enumerable.Range(0, 9).Select(i => $"      v{i}: {{size: 1MiB}}\n"));

        var error = Fleet.SingleError($"vms:\n  db:\n    image: tiny\n    volumes:\n{volumes}");

        Assert.Contains("9 volumes; a VM may have at most 8", error.Message);
    }

    [Fact]
    public void Diff_VolumeGrownOrAdded_IsARestartingChange()
    {
        var before = Fleet.Valid("vms:\n  db: {image: tiny, volumes: {data: {size: 1GiB}}}\n");
        var after = Fleet.Valid("vms:\n  db: {image: tiny, volumes: {data: {size: 2GiB}, logs: {size: 8MiB, format: raw}}}\n");

        var change = Assert.Single(Assert.Single(FleetDiff.Compare(before, after)).Fields, f => f.Field == "volumes");

        Assert.Equal(("data 1GiB qcow2", "data 2GiB qcow2, logs 8MiB raw", true), (change.Old, change.New, change.NeedsRestart));
    }

    [Fact]
    public void Deserialize_StoredVmWithoutVolumes_HasNoneAndAVmWithSomeRoundTrips()
    {
        var none = FleetJson.Serialize(Fleet.Valid("vms:\n  db: {image: tiny}\n"));
        Assert.DoesNotContain("volumes", none, StringComparison.Ordinal);
        Assert.Null(FleetJson.Deserialize(none).Vms[0].Volumes);

        var some = Fleet.Valid("vms:\n  db: {image: tiny, volumes: {data: {size: 1GiB, format: raw}}}\n");
        Assert.Equal(some, FleetJson.Deserialize(FleetJson.Serialize(some)));
    }
}
