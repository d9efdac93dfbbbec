using Hangar.Agent.Tests.Vms;
using Hangar.Agent.Vms;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using static Hangar.Agent.Tests.Vms.SupervisorHarness;

namespace Hangar.Agent.Tests;

/// <summary>The reconciler's handling of orphans (QEMUs in its runtime directory that no desired VM names), on the fake driver.</summary>
public sealed class ReconcilerTests
{
    private sealed class Harness : IAsyncDisposable
    {
        private readonly SemaphoreSlim _changes = new(0);

        public Harness()
        {
            Reconciler = new Reconciler(Vms.Options, Vms.Driver, NullLoggerFactory.Instance);
            Reconciler.Changed += () => _changes.Release();
        }

        public SupervisorHarness Vms { get; } = new();
        public Reconciler Reconciler { get; }

        public async Task<ObservedStateMessage> WaitForAsync(Func<ObservedStateMessage, bool> condition, string what)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (true)
            {
                var snapshot = Reconciler.Snapshot();
                if (condition(snapshot)) return snapshot;
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !await _changes.WaitAsync(left)) throw new TimeoutException($"Not {what} within 10s");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Reconciler.DisposeAsync();
            await Vms.DisposeAsync();
        }
    }

    private static ObservedOrphan? Orphan(ObservedStateMessage state, string name) => state.Orphans?.FirstOrDefault(o => o.Name == name);

    [Fact]
    public async Task Orphan_NotKept_IsStoppedAndReported_DesiredVmsAreNot()
    {
        await using var h = new Harness();
        var orphan = h.Vms.Driver.AddRunning(TestVm(name: "old"), recorded: true);

        h.Reconciler.Apply(new DesiredStateMessage(1, 1, [WireMapping.ToWire(new DesiredVm(TestVm(name: "web"), null, true, 0))], PurgeRemoved: false));

        var state = await h.WaitForAsync(s => Orphan(s, "old")?.Action == OrphanAction.Stopped, "orphan stopped");
        Assert.Equal(orphan.Pid, Orphan(state, "old")!.Pid);
        Assert.Equal(1, orphan.Stops);
        Assert.False(Directory.Exists(VmPaths.For(h.Vms.Options, "old").Runtime.Directory));
        await h.WaitForAsync(s => s.Vms.Any(v => v.Name == "web" && v.Phase == VmPhase.Running), "web running");
        Assert.Single(h.Reconciler.Snapshot().Orphans!); // the desired VM's own runtime directory is no orphan
    }

    [Fact]
    public async Task Orphan_Kept_IsReportedAndLeftRunning()
    {
        await using var h = new Harness();
        var orphan = h.Vms.Driver.AddRunning(TestVm(name: "old"), recorded: true);

        h.Reconciler.Apply(new DesiredStateMessage(1, 1, [], PurgeRemoved: false, KeepOrphans: true));

        var kept = Orphan(h.Reconciler.Snapshot(), "old");
        Assert.Equal(new ObservedOrphan("old", orphan.Pid, OrphanAction.Kept), kept);
        Assert.Equal(0, orphan.Stops);
        Assert.Empty(h.Vms.Driver.Log);

        // The fleet stops keeping orphans: the next desired state stops it.
        h.Reconciler.Apply(new DesiredStateMessage(2, 2, [], PurgeRemoved: false, KeepOrphans: false));
        await h.WaitForAsync(s => Orphan(s, "old")?.Action == OrphanAction.Stopped, "orphan stopped");
        Assert.Equal(1, orphan.Stops);
    }

    [Fact]
    public async Task ScanForOrphans_OrphanAppearsAfterTheDesiredState_IsStoppedAndStaysReported()
    {
        await using var h = new Harness();
        h.Reconciler.Apply(new DesiredStateMessage(1, 1, [], PurgeRemoved: false));
        // Appears after the last desired state (protocol v3 sends an agent nothing when nothing changed for it).
        var orphan = h.Vms.Driver.AddRunning(TestVm(name: "late"), recorded: true);
        Assert.Null(Orphan(h.Reconciler.Snapshot(), "late"));

        h.Reconciler.ScanForOrphans();

        await h.WaitForAsync(s => Orphan(s, "late")?.Action == OrphanAction.Stopped, "orphan stopped");
        Assert.Equal(1, orphan.Stops);
        h.Reconciler.ScanForOrphans(); // the next heartbeat's look keeps reporting it until a new desired state
        Assert.Equal(OrphanAction.Stopped, Orphan(h.Reconciler.Snapshot(), "late")?.Action);
    }

    [Fact]
    public async Task ScanForOrphans_BeforeAnyDesiredState_StopsNothing()
    {
        await using var h = new Harness();
        var vm = h.Vms.Driver.AddRunning(TestVm(name: "web"), recorded: true);

        h.Reconciler.ScanForOrphans(); // every QEMU would look like an orphan before the agent knows what it should run

        Assert.Null(h.Reconciler.Snapshot().Orphans?.FirstOrDefault());
        Assert.Equal(0, vm.Stops);
        Assert.Empty(h.Vms.Driver.Log);
    }

    [Fact]
    public async Task Orphan_ThatDoesNotAnswer_IsKilled()
    {
        await using var h = new Harness();
        var orphan = h.Vms.Driver.AddRunning(TestVm(name: "old"), recorded: true);
        orphan.Unresponsive = true;

        h.Reconciler.Apply(new DesiredStateMessage(1, 1, [], PurgeRemoved: false));

        await h.WaitForAsync(s => Orphan(s, "old")?.Action == OrphanAction.Stopped, "orphan stopped");
        Assert.Equal([$"recover {orphan.Pid}", $"kill {orphan.Pid}"], h.Vms.Driver.Log);
        Assert.True(orphan.Exited.IsCompleted);
    }

    [Fact]
    public async Task DeadRecord_IsNoOrphan()
    {
        await using var h = new Harness();
        h.Vms.Driver.AddDeadRecord(TestVm(name: "gone"));

        h.Reconciler.Apply(new DesiredStateMessage(1, 1, [], PurgeRemoved: false));

        Assert.Empty(h.Reconciler.Snapshot().Orphans!);
        Assert.Empty(h.Vms.Driver.Log);
    }

    [Fact]
    public async Task DiskGc_CachedImages_DeletesOnlyThoseNoDesiredVmNorLeftDiskUses()
    {
        await using var h = new Harness();
        var blobs = h.Vms.Options.BlobsDirectory;
        Directory.CreateDirectory(Path.Combine(blobs, ".partial"));
        string named = new('a', 64), underKeptOrphan = new('b', 64), unused = new('c', 64);
        foreach (var digest in new[] { named, underKeptOrphan, unused }) File.WriteAllBytes(Path.Combine(blobs, digest), new byte[1000]);
        File.WriteAllBytes(Path.Combine(blobs, ".partial", unused + ".part"), new byte[10]); // a download to resume
        // A kept orphan still runs on a disk made on its image: that image is its disk's base.
        h.Vms.Driver.AddRunning(TestVm(name: "old"), recorded: true);
        Directory.CreateDirectory(VmPaths.For(h.Vms.Options, "old").StateDirectory);
        new DiskIdentity(DiskIdentity.OverlayOn(underKeptOrphan), 1).Write(VmPaths.For(h.Vms.Options, "old").DiskIdentityPath);
        var web = new DesiredVm(TestVm(name: "web") with { Image = "debian" }, new Hangar.Spec.ImageSpec("debian", null, named, Hangar.Spec.DiskFormat.Qcow2), true, 0);

        h.Reconciler.Apply(new DesiredStateMessage(1, 1, [WireMapping.ToWire(web)], PurgeRemoved: false, KeepOrphans: true, DiskGc: 7));

        var report = (await h.WaitForAsync(s => s.DiskGc?.Request == 7, "the gc report")).DiskGc!;
        Assert.Equal([Path.Combine("blobs", "sha256", unused)], report.Deleted);
        Assert.Equal(1000, report.Bytes);
        Assert.False(File.Exists(Path.Combine(blobs, unused)));
        Assert.True(File.Exists(Path.Combine(blobs, named)));
        Assert.True(File.Exists(Path.Combine(blobs, underKeptOrphan)));
        Assert.True(File.Exists(Path.Combine(blobs, ".partial", unused + ".part")));
    }

    [Fact]
    public async Task DiskGc_ImageStoreSharedWithTheServer_LeavesCachedImagesAlone()
    {
        // One machine: the cache is the server's store, which the server collects itself; an image uploaded for an
        // apply that has not happened yet is named by no desired state.
        await using var h = new Harness();
        var reconciler = new Reconciler(h.Vms.Options with { SharesImageStore = true }, h.Vms.Driver, NullLoggerFactory.Instance);
        await using var _ = reconciler;
        Directory.CreateDirectory(h.Vms.Options.BlobsDirectory);
        var uploaded = Path.Combine(h.Vms.Options.BlobsDirectory, new string('d', 64));
        File.WriteAllBytes(uploaded, new byte[10]);

        reconciler.Apply(new DesiredStateMessage(1, 1, [], PurgeRemoved: false, DiskGc: 3));

        Assert.Equal(3, reconciler.Snapshot().DiskGc?.Request);
        Assert.Empty(reconciler.Snapshot().DiskGc!.Deleted);
        Assert.True(File.Exists(uploaded));
    }
}
