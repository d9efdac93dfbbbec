using Hangar.Agent.Vms;
using Hangar.Protocol.Agent;
using Hangar.Qemu;
using Hangar.Spec;
using Microsoft.Extensions.Logging.Abstractions;
using static Hangar.Agent.Tests.Vms.SupervisorHarness;

namespace Hangar.Agent.Tests.Vms;

/// <summary>One run of a VM's process on the fake driver: graceful stop or kill, letting go, online resize.</summary>
public sealed class VmRunTests : IAsyncLifetime
{
    private readonly SupervisorHarness _h = new(); // for its options and driver; no supervisor is started
    private FakeVm _vm = null!;
    private RuntimeRecord _record = null!;

    public async Task InitializeAsync()
    {
        var plan = await _h.Driver.PlanAsync(new DesiredVm(TestVm(), null, true, 0), null, CancellationToken.None);
        var (handle, record) = await _h.Driver.StartAsync(plan, 0, CancellationToken.None);
        (_vm, _record) = ((FakeVm)handle, record);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private VmRun Run(bool adopted = false) => new("web", _vm, _record, adopted, _h.Driver, NullLogger.Instance);

    private async Task<VmLaunchPlan> PlanWithDiskAsync(long bytes)
    {
        var spec = TestVm() with { Disk = ByteSize.FromMiB(bytes) };
        return await _h.Driver.PlanAsync(new DesiredVm(spec, null, true, 0), null, CancellationToken.None);
    }

    [Fact]
    public async Task Stop_GuestAnswers_PowersOffWithoutAKill()
    {
        await Run().StopAsync(TimeSpan.FromSeconds(30), "stop requested", CancellationToken.None);

        Assert.Equal(1, _vm.Stops);
        Assert.Equal(0, _vm.Kills);
        Assert.True((await _vm.Exited.WaitAsync(TimeSpan.FromSeconds(10))).GuestShutdown);
    }

    [Fact]
    public async Task Stop_VmDoesNotAnswer_KillsIt()
    {
        _vm.Unresponsive = true;

        await Run().StopAsync(TimeSpan.FromSeconds(30), "stop requested", CancellationToken.None);

        Assert.Equal(1, _vm.Stops);
        Assert.Equal(1, _vm.Kills);
        Assert.False((await _vm.Exited.WaitAsync(TimeSpan.FromSeconds(10))).GuestShutdown);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task End_KillsOnlyWhenAsked(bool kill)
    {
        await Run().EndAsync(kill);

        Assert.Equal(kill ? 1 : 0, _vm.Kills);
        Assert.Equal(kill, _vm.Exited.IsCompleted); // let go without a kill, the process runs on for the next agent
    }

    [Fact]
    public async Task TryResizeOnline_DriverResized_KeepsTheNewRecord()
    {
        var run = Run(adopted: true);
        _h.Driver.OnlineResize = (record, plan) => record with { DiskBytes = plan.DiskBytes };

        await run.TryResizeOnlineAsync(await PlanWithDiskAsync(512), CancellationToken.None);

        Assert.Equal(512L * 1024 * 1024, run.Record.DiskBytes);
        Assert.Equal(_record.Pid, run.Record.Pid);
        Assert.True(run.Adopted);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TryResizeOnline_NotPossibleOrRefused_KeepsTheRecord(bool refused)
    {
        var run = Run();
        _h.Driver.OnlineResize = (_, _) => refused ? throw new QemuException("block_resize refused") : null;

        await run.TryResizeOnlineAsync(await PlanWithDiskAsync(512), CancellationToken.None);

        Assert.Same(_record, run.Record);
        Assert.Equal(0, _vm.Kills); // the restart that follows is the supervisor's decision, not the run's
    }
}
