using System.Text.Json;
using Hangar.Agent.Connection;
using Hangar.Integration.Support;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Testing;

namespace Hangar.Integration.Cli;

/// <summary>
/// A control plane (<c>hangar server --no-agent</c>) and agents (<c>hangar agent --server … --join-token …</c>) as
/// separate processes with their own homes, on loopback: joining, credentials, refusals, the agent commands, and a
/// control-plane restart that must not hand every VM to the first agent back. The VMs do not start
/// (<c>autostart: false</c>): this is about who gets which VM, not about booting them.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class RemoteAgentTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private readonly HangarHome _server = new();
    private readonly PortLease _port = TestPorts.Reserve();
    private readonly List<DaemonProcess> _processes = [];
    private readonly List<HangarHome> _agentHomes = [];

    private string Url => $"http://127.0.0.1:{_port.Port}";

    public Task InitializeAsync() => StartServerAsync();

    public async Task DisposeAsync()
    {
        foreach (var process in _processes) await process.DisposeAsync();
        foreach (var home in _agentHomes) await home.DisposeAsync();
        await _server.DisposeAsync();
        _port.Dispose();
    }

    private async Task<DaemonProcess> StartServerAsync()
    {
        var server = Start(_server.Path, "server", "--no-agent", "--listen", Url);
        await Eventually.WaitAsync(() => Task.FromResult(_server.ServerPid), pid => pid is not null || server.HasExited, Wait, "daemon.json");
        Assert.False(server.HasExited, server.ToString());
        return server;
    }

    private DaemonProcess Start(string home, params string[] args)
    {
        var process = DaemonProcess.Start(home, ["--home", home, .. args]);
        _processes.Add(process);
        return process;
    }

    private HangarHome AgentHome()
    {
        var home = new HangarHome();
        _agentHomes.Add(home);
        return home;
    }

    private async Task<string> TokenAsync(params string[] flags)
    {
        var made = await _server.OkAsync(["token", "create", .. flags]);
        var token = made.Stdout.Trim();
        Assert.StartsWith("hjt_", token);
        Assert.Contains($"hangar agent --server {Url} --join-token {token}", made.Stderr);
        return token;
    }

    private async Task<IReadOnlyList<AgentInfo>> AgentsAsync() =>
        JsonSerializer.Deserialize<IReadOnlyList<AgentInfo>>((await _server.OkAsync("agent", "list", "-o", "json")).Stdout, HangarJson.Options)!;

    private Task<IReadOnlyList<AgentInfo>> AgentsWhenAsync(Func<IReadOnlyList<AgentInfo>, bool> done, string what) =>
        Eventually.WaitAsync(AgentsAsync, done, Wait, what);

    private static bool Online(IReadOnlyList<AgentInfo> agents, string name) => agents.Any(a => a.Name == name && a.State == AgentState.Online);

    [Fact]
    public async Task Agent_JoinsOnce_RestartsOnItsCredential_AndRefusalsAreClearOnBothSides()
    {
        var token = await TokenAsync("--uses", "1", "--labels", "zone=a", "--ttl", "10m");
        var home = AgentHome();

        var agent = Start(home.Path, "agent", "--server", Url, "--join-token", token, "--name", "a1", "--labels", "disk=ssd");
        var agents = await AgentsWhenAsync(a => Online(a, "a1") || agent.HasExited, "a1 online");
        Assert.False(agent.HasExited, agent.ToString());
        var a1 = Assert.Single(agents);
        Assert.Equal(("a", "ssd"), (a1.Labels["zone"], a1.Labels["disk"]));
        Assert.True(a1.Vcpus > 0 && a1.MemoryBytes > 0, $"capacity {a1.Vcpus} vCPU, {a1.MemoryBytes} bytes");
        // Its own age key, made on its first start, is what `agent show` gives for a recipients file.
        var recipient = (await File.ReadAllTextAsync(Path.Combine(home.Path, "agent", "recipient.txt"))).Trim();
        Assert.StartsWith("age1", recipient);
        Assert.Equal(recipient, a1.Recipient);
        Assert.Contains($"Age recipient:   {recipient}", (await _server.OkAsync("agent", "show", "a1")).Stdout);
        var credentialFile = AgentCredential.PathFor(home.Path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentialFile));
        Assert.DoesNotContain(token, await File.ReadAllTextAsync(credentialFile));
        var list = await _server.OkAsync("agent", "list");
        Assert.Contains("a1\tonline\tdisk=ssd,zone=a\t0/", list.Stdout);

        // Restarted with no token and no --server: the credential in its home is enough.
        Assert.Equal(0, await agent.StopAsync());
        await AgentsWhenAsync(a => !Online(a, "a1"), "a1 offline after its stop");
        var again = Start(home.Path, "agent");
        await AgentsWhenAsync(a => Online(a, "a1") || again.HasExited, "a1 online again");
        Assert.False(again.HasExited, again.ToString());

        // The token was for one agent: a second is refused, on its side (exit 1, the reason) and on the server's (an event).
        var second = Start(AgentHome().Path, "agent", "--server", Url, "--join-token", token, "--name", "a2");
        Assert.Equal(1, await second.WaitForExitAsync(Wait));
        Assert.Contains("used 1 of 1 times already", second.Output);

        // A credential the server never issued is refused, and the agent stops instead of retrying forever.
        var forgedHome = AgentHome();
        new AgentCredential(Url + "/", "a1", "hac_" + new string('7', 64)).Write(forgedHome.Path);
        var forged = Start(forgedHome.Path, "agent");
        Assert.Equal(1, await forged.WaitForExitAsync(Wait));
        Assert.Contains("credential is unknown or revoked", forged.Output);

        var events = (await _server.OkAsync("events")).Stdout;
        Assert.Contains("Agent a2 could not join: Join token", events);
        Assert.Contains("presented an unknown or revoked agent credential", events);
        Assert.True(Online(await AgentsAsync(), "a1"), "the real a1 keeps its session");

        // Operator commands: cordon shows in the list; remove is refused while a1 is online, and with --force it
        // revokes the credential: the running agent is disconnected, refused on reconnect, and stops.
        await _server.OkAsync("agent", "cordon", "a1");
        Assert.Contains("a1\tonline,cordoned\t", (await _server.OkAsync("agent", "list")).Stdout);
        Assert.Contains("State:           online,cordoned", (await _server.OkAsync("agent", "show", "a1")).Stdout);
        var missing = await _server.RunAsync("agent", "show", "nope");
        Assert.True(missing.ExitCode == 5, missing.ToString());
        var refused = await _server.RunAsync("agent", "remove", "a1");
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("is online", refused.Stderr);
        await _server.OkAsync("agent", "remove", "a1", "--force");
        Assert.Equal(1, await again.WaitForExitAsync(Wait));
        Assert.Contains("credential is unknown or revoked", again.Output);
        Assert.Empty(await AgentsAsync());
    }

    [Fact]
    public async Task ControlPlaneRestart_FirstAgentBack_GetsOnlyItsOwnVms()
    {
        var token = await TokenAsync("--uses", "2");
        var homeA = AgentHome();
        var homeB = AgentHome();
        var a = Start(homeA.Path, "agent", "--server", Url, "--join-token", token, "--name", "a1");
        var b = Start(homeB.Path, "agent", "--server", Url, "--join-token", token, "--name", "a2");
        await AgentsWhenAsync(x => Online(x, "a1") && Online(x, "a2"), "both agents online");
        string[] vms = ["v1", "v2", "v3", "v4", "v5", "v6"];
        await _server.OkAsync("apply", _server.WriteFleet("vms:\n" + string.Concat(vms.Select(v => $"  {v}:\n    image: tiny\n    memory: 96MiB\n    autostart: false\n"))), "--no-wait");
        var placed = await AgentsWhenAsync(x => x.Sum(agent => agent.Vms.Count) == vms.Length, "every VM placed");
        var onA = placed.Single(x => x.Name == "a1").Vms;
        var onB = placed.Single(x => x.Name == "a2").Vms;
        Assert.NotEmpty(onA);
        Assert.NotEmpty(onB);

        // The control plane stops, and so does a2; the control plane comes back, and a1 reconnects first.
        var firstServer = _processes[0];
        Assert.Equal(0, await firstServer.StopAsync());
        Assert.Equal(0, await b.StopAsync());
        await StartServerAsync();
        var after = await AgentsWhenAsync(x => Online(x, "a1"), "a1 back");

        Assert.Equal(onA, after.Single(x => x.Name == "a1").Vms);
        var a2 = after.Single(x => x.Name == "a2");
        Assert.Equal(AgentState.Offline, a2.State);
        Assert.Equal(onB, a2.Vms);
        var status = await _server.StatusAsync();
        Assert.All(onB, name => Assert.Equal(VmPhase.Unknown, status.Vms.Single(v => v.Name == name).Phase));
        // What a1 itself was sent: its own VMs, not a2's.
        var desired = await Eventually.WaitAsync(() => Task.FromResult(DesiredNames(homeA.Path)), names => names.SequenceEqual(onA), Wait, "a1's desired state");
        Assert.Equal(onA, desired);
        Assert.False(a.HasExited, a.ToString());
    }

    [Fact]
    public async Task VmXml_VmOnARemoteAgent_IsRefusedNamingTheAgent()
    {
        var token = await TokenAsync();
        Start(AgentHome().Path, "agent", "--server", Url, "--join-token", token, "--name", "a1");
        await AgentsWhenAsync(x => Online(x, "a1"), "a1 online");
        await _server.OkAsync("apply", _server.WriteFleet("vms:\n  v1:\n    image: tiny\n    memory: 96MiB\n    autostart: false\n"), "--no-wait");
        await AgentsWhenAsync(x => x.Single(a => a.Name == "a1").Vms.Contains("v1"), "v1 placed on a1");

        var xml = await _server.RunAsync("vm", "xml", "v1");

        // Only the agent that runs a VM knows its QEMU configuration, and the protocol does not carry it.
        Assert.Equal(1, xml.ExitCode);
        Assert.Contains("VM v1 is on agent a1, not on this server's own agent", xml.Stderr);
        Assert.Empty(xml.Stdout);
    }

    private static IReadOnlyList<string> DesiredNames(string home)
    {
        var path = Path.Combine(home, "agent", "desired.json");
        if (!File.Exists(path)) return [];
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("vms").EnumerateArray().Select(v => v.GetProperty("spec").GetProperty("name").GetString()!).Order().ToArray();
    }
}
