using System.Runtime;
using System.Runtime.Versioning;
using Hangar.Qemu.Tests.TestSupport;
using Xunit.Abstractions;

namespace Hangar.Qemu.Tests.Processes;

/// <summary>
/// Every descriptor a QEMU's life opens in this process (the launch's pipes, the QMP socket) is closed when that life
/// ends. Counts this process's own descriptors, so the class runs alone (<see cref="DescriptorCollection"/>).
/// </summary>
[SupportedOSPlatform("linux")]
[Collection(DescriptorCollection.Name)]
public sealed class QemuLifeDescriptorTests(ITestOutputHelper output) : IDisposable
{
    private const int Lives = 6;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _temp = new();
    private readonly List<QemuProcessIdentity> _launched = [];

    public void Dispose()
    {
        foreach (var identity in _launched) identity.Kill();
        _temp.Dispose();
    }

    [Fact]
    public async Task LaunchAttachStop_ManyLives_LeaveNoDescriptorOpen()
    {
        var config = new QemuVmConfig
        {
            Name = "fd",
            Accelerator = QemuAccelerator.Tcg,
            Vcpu = 1,
            MemoryMiB = 64,
            Paths = QemuRuntimePaths.For(_temp.File("run"), _temp.File("serial.log")),
        };
        // The first life loads assemblies and starts the runtime's child-process and socket machinery, which stay.
        await LiveOnceAsync(config, 0);
        var before = OpenDescriptors.Read();

        // No GC (so no finalizer) may close a forgotten descriptor for us while we count: only deterministic closing
        // passes. The budget is far above what the lives allocate (about 1 MB each); a GC anyway would end the region
        // and could hide a leak, so the test says so instead of passing.
        Assert.True(GC.TryStartNoGCRegion(200_000_000), "Could not enter a no-GC region.");
        try
        {
            for (var life = 1; life <= Lives; life++) await LiveOnceAsync(config, life);
            var after = OpenDescriptors.Read();
            Assert.True(GCSettings.LatencyMode == GCLatencyMode.NoGCRegion,
                "A GC ran during the lives, so finalizers may have closed leaked descriptors: the count proves nothing.");

            var left = after.OpenedSince(before).Where(d => !d.IsRegularFile).ToList();
            output.WriteLine($"descriptors: {before.Count} before, {after.Count} after {Lives} lives");
            Assert.True(left.Count == 0,
                $"{left.Count} descriptors opened during {Lives} QEMU lives are still open: {string.Join(", ", left)}");
        }
        finally
        {
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
    }

    /// <summary>Launch, attach, continue, then end the QEMU: killed on even lives, stopped over QMP on odd ones.</summary>
    private async Task LiveOnceAsync(QemuVmConfig config, int life)
    {
        var identity = await QemuLauncher.LaunchAsync(config, CancellationToken.None);
        _launched.Add(identity);
        await using var instance = await QemuInstance.AttachAsync(config.Paths, identity, CancellationToken.None);
        await instance.ContinueAsync(CancellationToken.None);
        if (life % 2 == 0)
            await instance.KillAsync(CancellationToken.None).WaitAsync(Wait);
        else
            await instance.StopAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None).WaitAsync(Wait);
    }
}
