using Hangar.Integration.Support;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Xunit.Abstractions;

namespace Hangar.Integration.Cli;

/// <summary>What a long-running server holds does not grow with the number of VM lives it has supervised.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class ServerResourceTests(ITestOutputHelper output)
{
    private const string OneVm = """
        vms:
          alpha:
            image: tiny
            memory: 96MiB
        """;

    // Restarts and crashes after the baseline: 12 QEMU starts. A leak of one descriptor per start shows as +12, the
    // leak this guards against (two pipes per start) as +24; both are well above the slack.
    private const int Restarts = 8;
    private const int Kills = 4;

    // The server's count moves by a few without any leak: a `hangar` call's HTTP connection stays open in the
    // server until Kestrel has read its close, and an assembly loaded the first time a code path runs holds two
    // descriptors (the file and its mapping). Thread-pool threads open none. The warm-up runs each path once, and the
    // final count is awaited until it settles (a leaked descriptor never settles).
    private const int Slack = 6;

    [Fact]
    public async Task RestartsAndCrashes_ServerDescriptorsDoNotGrow()
    {
        await using var home = new HangarHome();
        await home.OkAsync("up", home.WriteFleet(OneVm));
        var server = home.ServerPid!.Value;

        // Warm-up: one restart and one crash, so every path below has run once before the baseline.
        await home.OkAsync("vm", "restart", "alpha");
        await KillAndWaitRestartedAsync(home, healthy: true);
        var before = ServerDescriptors.Read(server);

        for (var i = 0; i < Restarts; i++)
        {
            if (i < Kills)
            {
                // Restart, then crash the new QEMU before its guest has booted: two starts for one boot.
                var pid = await PidAsync(home);
                await home.OkAsync("vm", "restart", "alpha", "--no-wait");
                await WaitRunningAsync(home, other: pid, healthy: false);
                await KillAndWaitRestartedAsync(home, healthy: true); // healthy: the next graceful stop needs a booted guest
            }
            else
            {
                await home.OkAsync("vm", "restart", "alpha"); // waits until running and healthy
            }
        }

        ServerDescriptors after;
        try
        {
            after = await Eventually.WaitAsync(() => Task.FromResult(ServerDescriptors.Read(server)),
                now => now.Count <= before.Count + Slack, TimeSpan.FromSeconds(20), "the server's descriptor count to settle");
        }
        catch (TimeoutException)
        {
            after = ServerDescriptors.Read(server); // reported by the assertion below
        }
        var status = (await home.StatusAsync()).Vms.Single();
        output.WriteLine($"before: {before.Count} ({before.Summary()}); after {Restarts} restarts and {Kills} crashes: " +
            $"{after.Count} ({after.Summary()}); restarts counted by the agent: {status.Restarts}");
        Assert.Equal(1 + Kills, status.Restarts); // the warm-up's crash and ours: every kill was a start of its own
        Assert.True(after.Count <= before.Count + Slack,
            $"The server's descriptors grew from {before.Count} ({before.Summary()}) to {after.Count} ({after.Summary()}) over " +
            $"{Restarts + Kills} QEMU starts. Opened since: {string.Join(", ", after.OpenedSince(before))}");
        Assert.Single(home.QemuPids());
    }

    private static async Task<int> PidAsync(HangarHome home) => (await home.StatusAsync()).Vms.Single().Pid!.Value;

    private static async Task KillAndWaitRestartedAsync(HangarHome home, bool healthy)
    {
        var pid = await PidAsync(home);
        QemuProcesses.Kill(pid);
        await WaitRunningAsync(home, other: pid, healthy);
    }

    private static Task<VmStatus> WaitRunningAsync(HangarHome home, int other, bool healthy) =>
        Eventually.WaitAsync(async () => (await home.StatusAsync()).Vms.Single(),
            vm => vm.Phase == VmPhase.Running && vm.Pid is { } pid && pid != other && (!healthy || vm.Health == HealthState.Healthy),
            TimeSpan.FromMinutes(2), $"alpha to run a QEMU other than pid {other}" + (healthy ? " and be healthy" : ""));
}
