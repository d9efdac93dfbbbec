using System.Text.Json;
using Hangar.Images;
using Hangar.Integration.Support;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;

namespace Hangar.Integration.Cli;

/// <summary>
/// Health checks against a real guest whose service comes up late, never comes up, answers the wrong status or dies:
/// the tiny image starts its web server <c>hangar.httpd_delay</c> seconds late and prints a line once it listens.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class HealthCheckTests
{
    private static async Task<EventEntry[]> EventsAsync(HangarHome home) =>
        (await home.OkAsync("events", "-o", "json")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize<EventEntry>(line, HangarJson.Options)!).ToArray();

    [Fact]
    public async Task TcpCheck_ServiceComesUpLate_NeverHealthyBeforeItListens_AndAServiceThatNeverComesUpIsRolledBack()
    {
        await using var home = new HangarHome();
        var port = home.ReservePort();
        var fleet = home.WriteFleet($"""
            vms:
              web:
                image: tiny
                memory: 128MiB
                kernelArgs: "{TinyImage.HttpdDelayParameter}=6"
                forwards: ["{port}:80"]
                health:
                  tcp: 80
                  timeout: 120s
            """);

        // Watch the VM's health while it boots: whenever it is reported healthy, the guest must already have said
        // that its web server listens. The old check passed 0.3 s after QEMU started, seconds before that line.
        using var stop = new CancellationTokenSource();
        var sightings = 0;
        var early = new List<string>();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var vm = (await home.StatusAsync()).Vms.SingleOrDefault();
                    var listening = home.SerialLogText("web").Contains(TinyImage.HttpdListeningMarker, StringComparison.Ordinal);
                    if (vm is { Health: HealthState.Healthy })
                    {
                        sightings++;
                        // The guest prints its line a moment after httpd listens; a check may get in between. A grace
                        // of a second keeps that apart from the bug this catches (healthy seconds before the line).
                        if (!listening)
                        {
                            await Task.Delay(1000);
                            if (!home.SerialLogText("web").Contains(TinyImage.HttpdListeningMarker, StringComparison.Ordinal))
                                early.Add($"healthy at {DateTimeOffset.UtcNow:O}, a second later the guest still did not listen");
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // the server is not up yet
                }
                await Task.Delay(100);
            }
        });
        await home.OkAsync("up", fleet);
        Assert.Contains(TinyImage.HttpdListeningMarker, home.SerialLogText("web"));
        await Eventually.WaitAsync(() => Task.FromResult(sightings), n => n > 0, TimeSpan.FromSeconds(30), "the watcher to see the VM healthy");
        await stop.CancelAsync();
        await watcher;
        Assert.Empty(early);
        var healthy = (await EventsAsync(home)).Last(e => e.Kind == "vm.health");
        Assert.Equal("Health is healthy: the guest accepted a connection on port 80", healthy.Message);

        // A check of a port nothing listens on: the guest refuses, the gate fails and the rollout is undone.
        var other = home.ReservePort();
        var result = await home.RunAsync("apply", home.WriteFleet($"""
            vms:
              web:
                image: tiny
                memory: 128MiB
                forwards: ["{port}:80", "{other}:81"]
                health:
                  tcp: 81
                  timeout: 45s
            """, "nothing-on-81.yaml"));
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("VM web: its health check (tcp 81 within 45s", result.Stderr);
        Assert.Contains("the guest refused a connection to port 81 (nothing listens there)", result.Stderr);
        Assert.Contains("Rolled back automatically", result.Stderr);
        var web = (await home.StatusAsync()).Vms.Single();
        Assert.Equal((VmPhase.Running, HealthState.Healthy), (web.Phase, web.Health));
    }

    [Fact]
    public async Task HttpCheck_RealResponse_HealthyOnTheRightStatus_RolledBackOnAWrongOne()
    {
        await using var home = new HangarHome();
        var port = home.ReservePort();
        string Fleet(string path, int timeout) => $$"""
            vms:
              web:
                image: tiny
                memory: 128MiB
                kernelArgs: "{{TinyImage.HttpdDelayParameter}}=3"
                forwards: ["{{port}}:80"]
                health:
                  http: {port: 80, path: {{path}}}
                  timeout: {{timeout}}s
            """;
        await home.OkAsync("up", home.WriteFleet(Fleet("/healthz", 120)));
        Assert.Contains(TinyImage.HttpdListeningMarker, home.SerialLogText("web"));
        var web = (await home.StatusAsync()).Vms.Single();
        Assert.Equal((VmPhase.Running, HealthState.Healthy), (web.Phase, web.Health));
        Assert.Equal("GET /healthz on port 80 answered 200", web.HealthDetail);

        var result = await home.RunAsync("apply", home.WriteFleet(Fleet("/missing", 30), "missing.yaml"));
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("GET /missing on port 80 answered 404, expected 200-399", result.Stderr);
        Assert.Contains("Rolled back automatically", result.Stderr);
        web = (await home.StatusAsync()).Vms.Single();
        Assert.Equal((HealthState.Healthy, "GET /healthz on port 80 answered 200"), (web.Health, web.HealthDetail));
    }

    [Fact]
    public async Task HealthRestart_ServiceDiesAfterTheRollout_VmIsRestartedAndTheEventSaysWhy()
    {
        await using var home = new HangarHome();
        var port = home.ReservePort();
        await home.OkAsync("up", home.WriteFleet($"""
            vms:
              web:
                image: tiny
                memory: 128MiB
                forwards: ["{port}:80"]
                health:
                  tcp: 80
                  interval: 1s
                  failures: 2
                  restart: true
            """));
        var first = (await home.StatusAsync()).Vms.Single();
        Assert.Equal(HealthState.Healthy, first.Health);

        using (var client = await HangarConnection.ConnectAsync(home.Path, CancellationToken.None))
            await GuestShell.RunAsync(client, "web", "killall httpd; echo killed-$((2+3))", "killed-5");

        var events = await Eventually.WaitAsync(() => EventsAsync(home), e => e.Any(x => x.Kind == "vm.health-restart"),
            TimeSpan.FromSeconds(60), "a restart after the failed health check");
        var unhealthy = events.Last(e => e.Kind == "vm.health" && e.Message.StartsWith("Health is unhealthy", StringComparison.Ordinal));
        Assert.Equal("Health is unhealthy: the guest refused a connection to port 80 (nothing listens there) (2 checks in a row failed)", unhealthy.Message);
        Assert.StartsWith("unhealthy (the guest refused a connection to port 80", events.Last(e => e.Kind == "vm.health-restart").Message);

        var again = await Eventually.WaitAsync(async () => (await home.StatusAsync()).Vms.Single(),
            vm => vm is { Phase: VmPhase.Running, Health: HealthState.Healthy } && vm.Pid != first.Pid,
            TimeSpan.FromSeconds(120), "the VM to run healthy again in a new QEMU");
        Assert.Equal(1, again.Restarts);
    }
}
