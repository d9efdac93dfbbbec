using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Hangar.Integration.Support;
using Hangar.Protocol.Agent;
using Xunit.Abstractions;

namespace Hangar.Integration.MultiHost;

/// <summary>
/// Serial logs and consoles of VMs on two separate <c>hangar agent</c> processes (each with its own home and runtime
/// directory), reached from the CLI through <c>hangar server --no-agent</c>, which relays them over each agent's
/// connection and opens no file or socket itself.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class RemoteSerialTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Boot = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task LogsAndConsole_OfVmsOnTwoAgentProcesses_WorkFromTheCli_AndEndWhenTheAgentGoes()
    {
        await using var cluster = await Cluster.StartAsync("a1", "a2");
        var (onA1, onA2) = ("vm1", "vm2");
        await cluster.Server.OkAsync("up", cluster.Server.WriteFleet(
            $"vms:\n  {onA1}:\n    image: tiny\n    memory: 96MiB\n    placement: {{host: a1}}\n  {onA2}:\n    image: tiny\n    memory: 96MiB\n    placement: {{host: a2}}\n"));

        var status = await cluster.Server.StatusAsync();
        Assert.True(status.Vms.All(v => v.Phase == VmPhase.Running && v.Health == HealthState.Healthy), $"{string.Join("\n", status.Vms)}\n{cluster.Logs()}");
        Assert.Equal("a1", status.Vms.Single(v => v.Name == onA1).Agent);
        Assert.Equal("a2", status.Vms.Single(v => v.Name == onA2).Agent);
        // Each QEMU runs under its own agent's runtime directory, none under the server's.
        Assert.Single(cluster.Agents[0].Home.QemuPids());
        Assert.Single(cluster.Agents[1].Home.QemuPids());
        Assert.Empty(cluster.Server.QemuPids());

        // hangar logs: each VM's own boot lines, from its own agent. The boot does not print the VM's name, so each
        // guest first prints its host name (its VM's name) on its console, which lands in its serial log.
        using (var client = await HangarConnection.ConnectAsync(cluster.Server.Path, CancellationToken.None))
            foreach (var vm in new[] { onA1, onA2 })
                await GuestShell.RunAsync(client, vm, "echo log-of-$(hostname)", $"log-of-{vm}");
        foreach (var (vm, other) in new[] { (onA1, onA2), (onA2, onA1) })
        {
            // An agent that reconnects under load is "not connected" for that moment (the CLI says so): ask again then,
            // and show the processes' logs if it never comes back.
            var logs = await Eventually.WaitAsync(() => cluster.Server.RunAsync("logs", vm),
                r => r.ExitCode == 0 || !r.Stderr.Contains("which is not connected", StringComparison.Ordinal), TimeSpan.FromSeconds(60), $"hangar logs {vm}");
            Assert.True(logs.ExitCode == 0, $"hangar logs {vm}: {logs}\n{cluster.Logs()}");
            var log = logs.Stdout;
            Assert.Contains("udhcpc: started", log);
            Assert.Contains("hangar-tiny: ready", log);
            Assert.Contains($"log-of-{vm}", log);
            Assert.DoesNotContain($"log-of-{other}", log);
        }

        // hangar logs --follow gets lines the guest prints later (a command typed on its console).
        var follow = cluster.StartCli("logs", onA2, "--follow");
        await follow.ReadUntilAsync("hangar-tiny: ready", Boot);
        using (var client = await HangarConnection.ConnectAsync(cluster.Server.Path, CancellationToken.None))
        {
            var typed = Stopwatch.StartNew();
            await GuestShell.RunAsync(client, onA2, "echo follow-$((6*7))-line", "follow-42-line");
            var onConsole = typed.Elapsed;
            await follow.ReadUntilAsync("follow-42-line", TimeSpan.FromSeconds(30));
            output.WriteLine($"follow: the line reached `hangar logs --follow` {(typed.Elapsed - onConsole).TotalMilliseconds:F0} ms after it reached the console ({onConsole.TotalMilliseconds:F0} ms after it was typed)");

            // Console round trips through the relay (server → agent → console socket → guest shell and back).
            var trips = new List<double>();
            using var console = await client.ConsoleAsync(onA1, CancellationToken.None);
            for (var i = 1; i <= 10; i++)
            {
                var trip = Stopwatch.StartNew();
                await console.SendAsync(Encoding.ASCII.GetBytes($"echo rt-$(({i}*7))-x\n"), WebSocketMessageType.Binary, true, CancellationToken.None);
                await ReceiveUntilAsync(console, $"rt-{i * 7}-x");
                trips.Add(trip.Elapsed.TotalMilliseconds);
            }
            await console.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            await ReceiveUntilClosedAsync(console);
            trips.Sort();

            // Baseline in the same run: the same commands on the VM's console socket itself, on its agent's host.
            var direct = new List<double>();
            using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(cluster.Agents[0].Home.RuntimeDirectory, onA1, "console.sock")));
                await using var stream = new NetworkStream(socket);
                for (var i = 1; i <= 10; i++)
                {
                    var trip = Stopwatch.StartNew();
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"echo dt-$(({i}*7))-x\n"));
                    await ReadUntilAsync(stream, $"dt-{i * 7}-x");
                    direct.Add(trip.Elapsed.TotalMilliseconds);
                }
            }
            direct.Sort();
            output.WriteLine($"console round trip (an echo command in the TCG guest shell), median/max of 10: through the relay " +
                $"{trips[trips.Count / 2]:F1}/{trips[^1]:F1} ms; on the console socket directly {direct[direct.Count / 2]:F1}/{direct[^1]:F1} ms");
        }

        // Events of VMs on both agents are the control plane's own: any CLI sees them.
        var events = (await cluster.Server.OkAsync("events")).Stdout;
        foreach (var vm in new[] { onA1, onA2 })
            Assert.Matches($@"vm\.started\s+{vm}\s+Started \(pid \d+, tcg\)", events);

        // hangar console on the VM of the other agent runs a command; Ctrl-] detaches.
        var console2 = cluster.StartCli("console", onA2);
        await console2.WriteAsync("\necho console-$((40+2))-ok\n");
        await console2.ReadUntilAsync("console-42-ok", TimeSpan.FromSeconds(60));
        await console2.WriteAsync("\u001d");
        var detached = await console2.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(detached.ExitCode == 0, $"exit {detached.ExitCode}: {detached.Stderr}");
        Assert.Contains("Detached.", detached.Stderr);

        // The agent goes: a console attached to its VM and the followed log end, and the CLI says why.
        var attached = cluster.StartCli("console", onA2);
        await attached.WriteAsync("\necho still-$((1+1))-here\n");
        await attached.ReadUntilAsync("still-2-here", TimeSpan.FromSeconds(60));
        await cluster.Agents[1].KillAsync();
        var cut = await attached.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(cut.ExitCode == 1 && cut.Stderr.Contains("error: Agent a2 disconnected.", StringComparison.Ordinal), $"exit {cut.ExitCode}: {cut.Stderr}");
        var followCut = await follow.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(followCut.ExitCode == 1 && followCut.Stderr.Contains($"error: The log of VM {onA2} was cut off", StringComparison.Ordinal),
            $"exit {followCut.ExitCode}: {followCut.Stderr}");

        // The VM on the agent that is still there is not affected.
        Assert.Contains("hangar-tiny: ready", (await cluster.Server.OkAsync("logs", onA1)).Stdout);
        var refused = await cluster.Server.RunAsync("logs", onA2);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"VM {onA2} is on agent a2, which is not connected.", refused.Stderr);
    }

    private static async Task ReadUntilAsync(Stream stream, string text)
    {
        var seen = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[4096];
        while (!seen.ToString().Contains(text, StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0) throw new InvalidOperationException($"The console socket closed before '{text}'.");
            seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    /// <summary>Reads what is left until the server's close, so the relay session has ended before the socket is used directly.</summary>
    private static async Task ReceiveUntilClosedAsync(WebSocket console)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        while ((await console.ReceiveAsync(buffer, timeout.Token)).MessageType != WebSocketMessageType.Close) { }
    }

    private static async Task<string> ReceiveUntilAsync(WebSocket console, string text)
    {
        var seen = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[4096];
        while (!seen.ToString().Contains(text, StringComparison.Ordinal))
        {
            var result = await console.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close) throw new InvalidOperationException($"The console closed before '{text}': {console.CloseStatusDescription}");
            seen.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        return seen.ToString();
    }
}
