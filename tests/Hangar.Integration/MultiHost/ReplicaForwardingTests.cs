using System.Diagnostics;
using System.Security.Cryptography;
using Hangar.Client;
using Hangar.Integration.Support;
using Hangar.Protocol.Agent;
using Hangar.Qemu;
using Hangar.Testing;

namespace Hangar.Integration.MultiHost;

/// <summary>
/// Two real <c>hangar server --no-agent --tls</c> replicas on one real PostgreSQL, each with the certificate it made
/// itself (so each pins the other's fingerprint as the database gives it), a real <c>hangar agent</c> connected to the
/// first only, and the CLI pointed at the second: the log (whole and followed) and the console of a tiny guest under TCG
/// on the first replica's agent, a file image uploaded through the second and run on the first one's agent, and
/// <c>hangar gc</c> through the second reaching that agent and both image stores. One pair of servers and one booted
/// VM serve every check, in order.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ReplicaForwardingTests(PostgresCluster postgres) : IClassFixture<PostgresCluster>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private readonly HangarHome _first = new(), _second = new(), _agentHome = new();
    private readonly PortLease _firstPort = TestPorts.Reserve(), _secondPort = TestPorts.Reserve();
    private readonly List<DaemonProcess> _processes = [];
    private readonly List<Process> _clis = [];
    private readonly string _files = Directory.CreateTempSubdirectory("hangar-replica-image-").FullName;

    private static string Url(PortLease port) => $"https://127.0.0.1:{port.Port}";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var cli in _clis)
        {
            if (!cli.HasExited) cli.Kill();
            cli.Dispose();
        }
        foreach (var process in _processes) await process.DisposeAsync();
        foreach (var home in new[] { _first, _second }) File.Delete(DaemonInfo.PathFor(home.Path));
        await _agentHome.DisposeAsync();
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        _firstPort.Dispose();
        _secondPort.Dispose();
        Directory.Delete(_files, recursive: true);
    }

    private async Task<DaemonProcess> StartServerAsync(HangarHome home, PortLease port, string store)
    {
        var server = Start(home.Path, "server", "--no-agent", "--tls", "--listen", Url(port), "--store", store);
        await Eventually.WaitAsync(() => Task.FromResult(home.ServerPid), pid => pid is not null || server.HasExited, Wait, "daemon.json");
        Assert.False(server.HasExited, server.ToString());
        return server;
    }

    private DaemonProcess Start(string home, params string[] args)
    {
        var process = DaemonProcess.Start(home, ["--home", home, .. args]);
        _processes.Add(process);
        return process;
    }

    /// <summary>Starts <c>hangar ARGS</c> against <paramref name="home"/>'s server and keeps it running (a followed log).</summary>
    private RunningCli StartCli(HangarHome home, params string[] args)
    {
        var (fileName, prefix) = HangarCommand.Client;
        var psi = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in prefix.Concat(args)) psi.ArgumentList.Add(arg);
        psi.Environment["HANGAR_HOME"] = home.Path;
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start hangar {string.Join(' ', args)}.");
        _clis.Add(process);
        return new RunningCli(process);
    }

    private string Logs() => string.Join("\n---\n", _processes.Select(p => p.ToString()));

    [Fact]
    public async Task CliOnTheOtherReplica_LogConsoleFileImageAndGc_ReachTheAgentOfTheFirst()
    {
        var store = $"postgres:{await postgres.CreateDatabaseAsync()}";
        var first = await StartServerAsync(_first, _firstPort, store);
        var firstId = (await Eventually.WaitAsync(_first.StatusAsync, s => s.ControlPlane is { Leader: true }, Wait, "the first replica to lead")).ControlPlane!.Replica;
        await StartServerAsync(_second, _secondPort, store);
        await Eventually.WaitAsync(_second.StatusAsync, s => s.ControlPlane?.LeaderReplica == firstId, Wait, "the second replica to see who leads");

        // The agent knows the first replica only, so it stays there.
        var token = (await _first.OkAsync("token", "create", "--uses", "1")).Stdout.Trim();
        var fingerprint = DaemonInfo.TryRead(_first.Path)!.Fingerprint!;
        Assert.NotEqual(fingerprint, DaemonInfo.TryRead(_second.Path)!.Fingerprint);
        Start(_agentHome.Path, "agent", "--server", Url(_firstPort), "--server-fingerprint", fingerprint, "--join-token", token, "--name", "a1");
        await Eventually.WaitAsync(_second.StatusAsync, s => s.Agents.Any(a => a.Name == "a1" && a.Connected), Wait, "the second replica to see the agent online on the first");

        // A tiny guest, and a file image that only the CLI's machine has, applied through the second replica.
        var imagePath = Path.Combine(_files, "base.qcow2");
        await new QemuImg().CreateBlankAsync(imagePath, 32L * 1024 * 1024, CancellationToken.None);
        var bytes = await File.ReadAllBytesAsync(imagePath);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var fleet = Path.Combine(_files, "fleet.yaml");
        const string tiny = "  web:\n    image: tiny\n    memory: 96MiB\n";
        await File.WriteAllTextAsync(fleet, $"images:\n  blank:\n    path: ./base.qcow2\n    sha256: {sha}\nvms:\n{tiny}  disky:\n    image: blank\n    memory: 64MiB\n    disk: 64MiB\n");
        var applied = await _second.RunAsync("apply", fleet);
        Assert.True(applied.ExitCode == 0, $"{applied.Stdout}\n{applied.Stderr}\n{Logs()}");
        Assert.Contains("uploading image blank", applied.Stderr);
        var status = await Eventually.WaitAsync(_second.StatusAsync, s => s.Vms.Count == 2 && s.Vms.All(v => v is { Phase: VmPhase.Running, Agent: "a1" }),
            TimeSpan.FromMinutes(3), "both VMs to run on the agent of the first replica");
        Assert.Equal(2, _agentHome.QemuPids().Count);
        // The agent's copy came from the first replica's store, which fetched it from the second's.
        var blob = Path.Combine("blobs", "sha256", sha);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(_agentHome.Path, blob)));
        Assert.True(File.Exists(Path.Combine(_first.Path, blob)) && File.Exists(Path.Combine(_second.Path, blob)), status.ToString());

        // The log through the second replica, and a followed one.
        await Eventually.WaitAsync(() => _second.RunAsync("logs", "web"), r => r.ExitCode == 0 && r.Stdout.Contains("hangar-tiny: ready"),
            TimeSpan.FromMinutes(3), "the tiny guest's ready line through the second replica");
        var follow = StartCli(_second, "logs", "web", "--follow");
        await follow.ReadUntilAsync("hangar-tiny: ready", Wait);

        // The console WebSocket through the second replica: a command typed reaches the guest, its answer comes back,
        // and the followed log sees it too.
        using (var client = await HangarConnection.ConnectAsync(_second.Path, CancellationToken.None))
            await GuestShell.RunAsync(client, "web", "echo through-$((6*7))-replica", "through-42-replica");
        await follow.ReadUntilAsync("through-42-replica", Wait);

        // gc through the second replica reaches the agent of the first and both image stores.
        await File.WriteAllTextAsync(fleet, $"vms:\n{tiny}");
        Assert.Equal(0, (await _second.RunAsync("apply", fleet)).ExitCode);
        await Eventually.WaitAsync(_second.StatusAsync, s => s.Vms.Count == 1 && _agentHome.QemuPids().Count == 1, Wait, "disky to be stopped");
        var gc = await _second.RunAsync("gc");
        Assert.True(gc.ExitCode == 0, $"{gc.Stdout}\n{gc.Stderr}\n{Logs()}");
        Assert.Contains("deleted a1:vms/disky/disk.qcow2", gc.Stdout);
        Assert.Contains($"deleted image sha256:{sha}", gc.Stdout);
        Assert.False(File.Exists(Path.Combine(_first.Path, blob)) || File.Exists(Path.Combine(_second.Path, blob)), gc.Stdout);

        // The first replica goes: the second says where the VM is and why it cannot reach it.
        await first.KillAsync();
        var refused = await _second.RunAsync("logs", "web");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"VM web runs on agent a1, connected to replica {firstId}", refused.Stderr);
    }
}
