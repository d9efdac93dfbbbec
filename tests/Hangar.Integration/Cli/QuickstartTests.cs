using System.Net.Http;
using Hangar.Integration.Support;
using Hangar.Protocol.Agent;

namespace Hangar.Integration.Cli;

[Collection(IntegrationCollection.Name)]
public sealed class QuickstartTests
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hangar.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }

    [Fact]
    public async Task Up_QuickstartFleet_BootsToReadyServesHttpAndStopsGracefully()
    {
        await using var home = new HangarHome();
        // The quick-start file as shipped, with its host ports moved to free ones so tests never collide.
        var (webPort, workerPort) = (home.ReservePort(), home.ReservePort());
        var yaml = File.ReadAllText(Path.Combine(RepoRoot(), "examples", "quickstart", "fleet.yaml"))
            .Replace("\"8081:80\"", $"\"{webPort}:80\"").Replace("\"8082:80\"", $"\"{workerPort}:80\"");
        var file = home.WriteFleet(yaml);

        var up = await home.OkAsync("up", file);
        Assert.Contains("web", up.Stdout);
        Assert.Contains("tcg", up.Stdout);
        var status = await home.StatusAsync();
        Assert.All(status.Vms, vm =>
        {
            Assert.Equal(VmPhase.Running, vm.Phase);
            Assert.Equal(HealthState.Healthy, vm.Health);
            Assert.Equal("tcg", vm.Accelerator);
        });
        Assert.Equal(2, home.QemuPids().Count);

        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) })
            Assert.Contains("hangar-tiny: web", await http.GetStringAsync($"http://127.0.0.1:{webPort}/"));
        var logs = await home.OkAsync("logs", "web");
        Assert.Contains("hangar-tiny: ready", logs.Stdout);

        await home.OkAsync("vm", "stop", "web");
        status = await home.StatusAsync();
        Assert.Equal(VmPhase.Stopped, status.Vms.Single(v => v.Name == "web").Phase);
        Assert.Equal(VmPhase.Running, status.Vms.Single(v => v.Name == "worker").Phase);
        // Graceful: the guest saw the ACPI power button and powered itself off.
        Assert.Contains("hangar-tiny: powering off", (await home.OkAsync("logs", "web")).Stdout);
        Assert.Single(home.QemuPids());

        await home.OkAsync("vm", "start", "web");
        Assert.Equal(VmPhase.Running, (await home.StatusAsync()).Vms.Single(v => v.Name == "web").Phase);

        await home.OkAsync("down", "--purge");
        Assert.Empty(home.QemuPids());
        Assert.False(Directory.Exists(Path.Combine(home.Path, "vms", "worker")));
    }
}
