namespace Hangar.Spec.Tests;

/// <summary>What the plan says happens to each VM's disk, and when a disk change needs a restart.</summary>
public sealed class FleetDiffDiskTests
{
    private static VmChange Change(string before, string after, long? kept = 3, string? dir = null) =>
        Assert.Single(FleetDiff.Compare(Fleet.Valid(before, dir), Fleet.Valid(after, dir), kept));

    private static string[] Lines(VmChange change) => change.Fields.Select(f => f.ToString()).ToArray();

    [Fact]
    public void Compare_DiskGrowsAlone_IsAnOnlineUpdateThatKeepsTheData()
    {
        var change = Change("vms: { web: { image: tiny, disk: 256MiB } }", "vms: { web: { image: tiny, disk: 512MiB } }");

        Assert.Equal(VmChangeKind.Update, change.Kind);
        Assert.Equal(["disk: 256MiB → 512MiB — grows online, without a restart (before its next start if it is stopped); the data is kept"], Lines(change));
    }

    [Fact]
    public void Compare_DiskGrowsWithMemory_GrowsBeforeTheRestart()
    {
        var change = Change("vms: { web: { image: tiny, disk: 256MiB } }", "vms: { web: { image: tiny, disk: 1GiB, memory: 512MiB } }");

        Assert.Equal(VmChangeKind.Replace, change.Kind);
        Assert.Equal(["memory: 256MiB → 512MiB", "disk: 256MiB → 1GiB — grows before the VM restarts; the data is kept"], Lines(change));
    }

    [Fact]
    public void Compare_RestartWithDiskUnchanged_SaysTheDiskIsKept()
    {
        var change = Change("vms: { web: { image: tiny, disk: 256MiB } }", "vms: { web: { image: tiny, disk: 256MiB, vcpu: 2 } }");

        Assert.Equal(["vcpu: 1 → 2", "disk: 256MiB — kept with its data across the restart"], Lines(change));
    }

    [Fact]
    public void Compare_NewImage_SaysTheDataIsReplacedAndNamesTheKeptFile()
    {
        using var dir = new TempDirectory();
        dir.Write("d.qcow2", "");
        var images = $"images: {{ debian: {{ path: d.qcow2, sha256: {Fleet.Sha} }} }}\n";
        var change = Change(images + "vms: { web: { image: tiny, disk: 256MiB } }", images + "vms: { web: { image: debian, disk: 2GiB } }", 3, dir.Path);

        Assert.Equal(VmChangeKind.Replace, change.Kind);
        Assert.Equal([
            "image: tiny → debian (sha256:0123456789ab) — the VM's data is replaced: it starts on a new disk on image debian; " +
            "its old disk file is kept as disk.gen3.qcow2 until `hangar gc`",
            "disk: 256MiB → 2GiB — the size of the new disk",
        ], Lines(change)[..2]); // then health: tiny's default check gives way to none
    }

    [Fact]
    public void Compare_DiskRemovedFromTiny_SaysItIsDetachedAndKept()
    {
        var change = Change("vms: { web: { image: tiny, disk: 256MiB } }", "vms: { web: { image: tiny } }");

        Assert.Equal(VmChangeKind.Replace, change.Kind);
        Assert.Equal(["disk: 256MiB → none — the disk is detached; the VM restarts; its old disk file is kept as disk.gen3.qcow2 until `hangar gc`"], Lines(change));
    }

    [Fact]
    public void Compare_SmallerDiskInARollback_SaysTheDiskNeverShrinks()
    {
        var change = Change("vms: { web: { image: tiny, disk: 512MiB } }", "vms: { web: { image: tiny, disk: 256MiB } }");

        Assert.Equal(VmChangeKind.Update, change.Kind);
        Assert.Equal(["disk: 512MiB → 256MiB — stays 512MiB: a disk never shrinks; the data is kept"], Lines(change));
    }

    [Fact]
    public void Compare_DeletedVmWithDisk_SaysItsDiskIsKept()
    {
        var plan = FleetDiff.Compare(Fleet.Valid("vms: { web: { image: tiny, disk: 256MiB } }"), Fleet.Valid("vms: {}"));

        Assert.Equal(["disk: 256MiB — kept with its data until `hangar gc` or `hangar down --purge`"], Lines(Assert.Single(plan)));
    }

    [Fact]
    public void CompareFleet_SettingsAndImageFields_ListsEveryChangedField()
    {
        using var dir = new TempDirectory();
        dir.Write("a.qcow2", "");
        dir.Write("b.raw", "");
        var other = new string('f', 64);
        var before = Fleet.Valid($"images: {{ base: {{ path: a.qcow2, sha256: {Fleet.Sha} }}, old: {{ path: a.qcow2, sha256: {Fleet.Sha} }} }}\nvms: {{}}", dir.Path);
        var after = Fleet.Valid($"settings: {{ orphans: keep }}\nimages: {{ base: {{ path: b.raw, sha256: {other}, format: raw, minMemory: 512MiB }} }}\nvms: {{}}", dir.Path);

        var changes = FleetDiff.CompareFleet(before, after).Select(c => c.ToString()).ToArray();

        Assert.Equal([
            "settings.orphans: stop → keep",
            $"images.base.path: {dir.Path}/a.qcow2 → {dir.Path}/b.raw",
            $"images.base.sha256: {Fleet.Sha} → {other}",
            "images.base.format: qcow2 → raw",
            "images.base.minMemory: none → 512MiB",
            $"images.old: {dir.Path}/a.qcow2 (qcow2, sha256:0123456789ab) → removed",
        ], changes);
        Assert.Empty(FleetDiff.CompareFleet(after, after));
    }

    [Fact]
    public void CompareFleet_FirstGeneration_ShowsOnlySettingsThatDifferFromTheDefaults()
    {
        Assert.Empty(FleetDiff.CompareFleet(null, Fleet.Valid("vms: {}")));
        Assert.Equal(["settings.orphans: stop → keep"],
            FleetDiff.CompareFleet(null, Fleet.Valid("settings: { orphans: keep }\nvms: {}")).Select(c => c.ToString()));
    }
}
