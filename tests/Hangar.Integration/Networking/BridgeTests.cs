using System.Diagnostics;
using System.Text;
using Hangar.Integration.Support;
using Hangar.Processes;
using Hangar.Spec;
using Hangar.Testing;

namespace Hangar.Integration.Networking;

/// <summary>
/// Bridge interfaces against real tiny guests, in a network namespace the test makes (so the bridge, the taps and the
/// server's loopback are the test's own): the agent makes the bridge, QEMU's taps go on it, each guest sets the address
/// the fleet file gives it on the NIC with its MAC, and one guest reaches the other's web server over the bridge.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class BridgeTests
{
    private const string Bridge = "hgtest0";

    private const string Fleet =
        "vms:\n" +
        "  a:\n    image: tiny\n    interfaces:\n      - {type: user}\n      - {type: bridge, bridge: " + Bridge + ", address: 10.77.0.1/24}\n" +
        "  b:\n    image: tiny\n    interfaces:\n      - {type: bridge, bridge: " + Bridge + ", address: 10.77.0.2/24, mac: \"02:00:00:77:00:02\"}\n";

    [Fact]
    public async Task Up_TwoVmsOnABridge_AgentMakesItTheirTapsJoinItAndOneGuestReachesTheOther()
    {
        await using var netns = await NetworkNamespace.CreateAsync();
        await using var home = new HangarHome { NetworkNamespace = netns.Name };

        await home.OkAsync("up", home.WriteFleet(Fleet));

        // Both taps are on the bridge the agent made, in the test's namespace only.
        var ports = await netns.RunAsync("ip", "-o", "link", "show", "master", Bridge);
        Assert.Contains(NetworkInterfaceSpec.TapName("a", 1), ports);
        Assert.Contains(NetworkInterfaceSpec.TapName("b", 0), ports);
        Assert.False(Directory.Exists($"/sys/class/net/{Bridge}"), "the bridge is in the test's namespace, not the machine's");

        // Each guest found the NIC by the MAC Hangar gave it: a's bridge NIC is its second (eth1), b's only one eth0.
        await Eventually.WaitAsync(() => Task.FromResult(home.SerialLogText("a")), log => log.Contains("address 10.77.0.1/24 on eth1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(120), "a's address on eth1");
        await Eventually.WaitAsync(() => Task.FromResult(home.SerialLogText("b")), log => log.Contains("address 10.77.0.2/24 on eth0", StringComparison.Ordinal),
            TimeSpan.FromSeconds(120), "b's address on eth0");
        var show = await home.OkAsync("vm", "show", "b");
        Assert.Contains($"bridge {Bridge} 02:00:00:77:00:02 10.77.0.2/24 (tap {NetworkInterfaceSpec.TapName("b", 0)})", show.Stdout);

        // a pings b and fetches its page over the bridge (b has no other network at all).
        var output = await ConsoleAsync(home, "a", "ping -c 1 -W 5 10.77.0.2 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 10.77.0.2 80 | grep 'hangar-tiny: b' && echo reached-$((40+2))", "reached-42");
        Assert.True(output.Contains("reached-42", StringComparison.Ordinal), $"a did not reach b; its console said:\n{output}\n--- a's log:\n{home.SerialLogText("a")}\n--- b's log:\n{home.SerialLogText("b")}");
    }

    [Fact]
    public async Task Up_BridgeNameTakenByANonBridge_FailsTheVmSayingSoAndRunsNoQemu()
    {
        await using var netns = await NetworkNamespace.CreateAsync();
        await netns.RunAsync("ip", "tuntap", "add", "dev", Bridge, "mode", "tap");
        await using var home = new HangarHome { NetworkNamespace = netns.Name };

        await home.RunAsync("up", "--no-wait", home.WriteFleet("vms:\n  b:\n    image: tiny\n    interfaces: [{type: bridge, bridge: " + Bridge + "}]\n"));

        await Eventually.WaitAsync(async () => (await home.StatusAsync()).Vms.Single().LastError ?? "",
            error => error.Contains($"'{Bridge}' exists on this host and is not a bridge", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the VM's error");
        Assert.Empty(home.QemuPids());
    }

    /// <summary>Types <paramref name="command"/> on VM <paramref name="vm"/>'s serial console through <c>hangar console</c>
    /// (in the home's namespace, where its server is) and returns what came back until <paramref name="until"/>.</summary>
    private static async Task<string> ConsoleAsync(HangarHome home, string vm, string command, string until)
    {
        var (client, prefix) = HangarCommand.Client;
        var start = new ProcessStartInfo("ip") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["netns", "exec", home.NetworkNamespace!, client, .. prefix, "console", vm]) start.ArgumentList.Add(arg);
        foreach (var (key, value) in HangarCommand.Environment(home.Path)) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var seen = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            var buffer = new char[4096];
            // Typed again every few seconds until answered: the shell may not be at its prompt yet when the first line arrives.
            var typed = DateTime.MinValue;
            var read = process.StandardOutput.ReadAsync(buffer, timeout.Token).AsTask();
            while (!seen.ToString().Contains(until, StringComparison.Ordinal))
            {
                if (DateTime.UtcNow - typed > TimeSpan.FromSeconds(10))
                {
                    await process.StandardInput.WriteAsync($"\n{command}\n");
                    await process.StandardInput.FlushAsync();
                    typed = DateTime.UtcNow;
                }
                if (await Task.WhenAny(read, Task.Delay(500, timeout.Token)) != read) continue;
                var count = await read;
                if (count == 0) break;
                seen.Append(buffer, 0, count);
                read = process.StandardOutput.ReadAsync(buffer, timeout.Token).AsTask();
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
        return seen.ToString();
    }
}
