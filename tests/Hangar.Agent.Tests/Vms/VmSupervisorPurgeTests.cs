using Hangar.Agent.Vms;
using Hangar.Protocol.Agent;
using static Hangar.Agent.Tests.Vms.SupervisorHarness;

namespace Hangar.Agent.Tests.Vms;

/// <summary>A purge that arrives while a removed VM is still stopping (<c>hangar down --purge</c> right after the VM
/// left the fleet) deletes its files; one that arrives after it left says so, so that the reconciler deletes them.</summary>
public sealed class VmSupervisorPurgeTests
{
    [Fact]
    public async Task PurgeWhileStopping_DeletesTheStateDirectory_PurgeAfterLeaving_IsRefused()
    {
        await using var h = new SupervisorHarness();
        h.StartSupervisor(TestVm());
        var vm = await h.WaitForStartAsync(1);
        await h.WaitForPhaseAsync(VmPhase.Running);
        var paths = VmPaths.For(h.Options, "web");
        Directory.CreateDirectory(paths.StateDirectory);
        File.WriteAllText(paths.DiskPath, "disk");

        vm.StopGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(h.Supervisor.Update(null, 2, 2, purge: false));
        await h.WaitForPhaseAsync(VmPhase.Stopping);
        Assert.True(h.Supervisor.Update(null, 3, 3, purge: true));
        vm.StopGate.SetResult();
        await h.Supervisor.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(Directory.Exists(paths.StateDirectory), "the purge asked for while the VM stopped was lost");
        Assert.False(h.Supervisor.Update(null, 4, 4, purge: true));
    }
}
