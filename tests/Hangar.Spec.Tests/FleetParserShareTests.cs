using Hangar.Spec.Json;

namespace Hangar.Spec.Tests;

/// <summary>A VM's virtiofs <c>shares</c> and its <c>balloon</c>: what is read, what is refused and where, and how they round-trip.</summary>
public sealed class FleetParserShareTests
{
    private const string Shared =
        "vms:\n  web:\n    image: tiny\n    balloon: true\n    shares:\n" +
        "      src: {source: /home/me/src/}\n      data: {source: /srv/data, mountPoint: /mnt/data, readOnly: true}\n";

    [Fact]
    public void Parse_Shares_SortedByTagWithTheSourceTrimmedAndReadWriteByDefault()
    {
        var vm = Fleet.Valid(Shared).Vms[0];

        Assert.Equal<ShareSpec>([new ShareSpec("data", "/srv/data", "/mnt/data", true), new ShareSpec("src", "/home/me/src", null, false)], vm.Shares!.Value);
        Assert.True(vm.Balloon);
        var plain = Fleet.Valid("vms:\n  web: {image: tiny, shares: {}}\n").Vms[0];
        Assert.Null(plain.Shares);
        Assert.False(plain.Balloon);
    }

    [Fact]
    public void Parse_SharesAndBalloon_RoundTripThroughTheStoredFormAndTheWrittenYaml()
    {
        var spec = Fleet.Valid(Shared);

        Assert.Equal(spec, FleetJson.Deserialize(FleetJson.Serialize(spec)));
        var yaml = FleetYaml.Write(spec);
        Assert.Contains("data: {source: \"/srv/data\", mountPoint: \"/mnt/data\", readOnly: true}", yaml);
        Assert.Contains("balloon: true", yaml);
        Assert.Equal(spec.Vms[0].Shares, Fleet.Valid(yaml).Vms[0].Shares);
    }

    [Theory]
    [InlineData("bad.tag: {source: /srv}", "vms.web.shares.bad.tag", "'bad.tag' is not a share tag")]
    [InlineData("data: {mountPoint: /mnt/data}", "vms.web.shares.data.source", "source")]
    [InlineData("data: {source: srv/data}", "vms.web.shares.data.source", "'srv/data' is not an absolute path")]
    [InlineData("data: {source: \"/srv/a,b\"}", "vms.web.shares.data.source", "comma-separated option list")]
    [InlineData("data: {source: /srv/../etc}", "vms.web.shares.data.source", "has a . or .. segment")]
    [InlineData("data: {source: /srv, mountPoint: /}", "vms.web.shares.data.mountPoint", "'/' is not a mount point")]
    [InlineData("data: {source: /srv, mountPoint: \"/mnt/my data\"}", "vms.web.shares.data.mountPoint", "is not a mount point")]
    [InlineData("data: {source: /srv, mountPoint: /mnt/../etc}", "vms.web.shares.data.mountPoint", "without . or .. segments")]
    [InlineData("data: {source: /srv, readOnly: maybe}", "vms.web.shares.data.readOnly", "maybe")]
    [InlineData("data: {source: /srv, colour: red}", "vms.web.shares.data.colour", "Unknown field 'colour'")]
    public void Parse_BadShare_IsAnErrorAtItsField(string entry, string path, string message)
    {
        var error = Fleet.SingleError($"vms:\n  web:\n    image: tiny\n    shares:\n      {entry}\n");

        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Parse_TwoSharesAtOneMountPoint_IsAnErrorAtTheSecondNamingTheFirst()
    {
        var error = Fleet.SingleError("vms:\n  web:\n    image: tiny\n    shares:\n      a: {source: /a, mountPoint: /mnt/x}\n      b: {source: /b, mountPoint: /mnt/x}\n");

        Assert.Equal("vms.web.shares.b.mountPoint", error.Path);
        Assert.Contains("Share 'a' is already mounted at /mnt/x", error.Message);
    }

    [Fact]
    public void Parse_NineShares_IsAnErrorSayingEightIsTheMost()
    {
        var shares = string.Concat(Enumerable.Range(0, 9).Select(i => $"      s{i}: {{source: /srv/{i}}}\n"));

        Assert.Contains("9 shares; a VM may have at most 8", Fleet.SingleError($"vms:\n  web:\n    image: tiny\n    shares:\n{shares}").Message);
    }

    [Fact]
    public void Parse_MountPointOnADiskImageWithoutGuest_IsAnErrorSinceNothingMountsIt()
    {
        var dir = Directory.CreateTempSubdirectory();
        File.WriteAllBytes(Path.Combine(dir.FullName, "disk.qcow2"), [0]);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(new byte[] { 0 }));
        var text = $"images:\n  mine: {{path: disk.qcow2, sha256: {sha}}}\nvms:\n  web:\n    image: mine\n    shares:\n      data: {{source: /srv, mountPoint: /mnt/data}}\n";

        var error = Fleet.SingleError(text, dir.FullName);

        Assert.Equal("vms.web.shares.data.mountPoint", error.Path);
        Assert.Contains("nothing mounts share 'data' in the guest", error.Message);
        Assert.Null(Fleet.Valid(text.Replace(", mountPoint: /mnt/data", ""), dir.FullName).Vms[0].Shares!.Value[0].MountPoint);
        dir.Delete(true);
    }

    [Fact]
    public void Diff_SharesOrBalloonChanged_RestartsTheVm()
    {
        var before = Fleet.Valid("vms:\n  web: {image: tiny}\n");
        var after = Fleet.Valid(Shared);

        var changes = FleetDiff.Compare(before, after).Single().Fields;

        Assert.Contains(changes, f => f.Field == "shares" && f.New == "data /srv/data at /mnt/data ro, src /home/me/src" && f.NeedsRestart);
        Assert.Contains(changes, f => f.Field == "balloon" && f.Old == "none" && f.New == "virtio" && f.NeedsRestart);
    }
}
