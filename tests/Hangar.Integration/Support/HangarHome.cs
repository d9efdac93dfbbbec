using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Hangar.Agent;
using Hangar.Protocol;
using Hangar.Protocol.Api;

namespace Hangar.Integration.Support;

/// <summary>
/// A fresh Hangar home for one test, sharing the tiny-image cache with the other tests (the image is assembled once
/// per machine). Disposing stops everything it started: the server, and any QEMU of this home.
/// </summary>
public sealed class HangarHome : IAsyncDisposable
{
    private static readonly string SharedCache = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hangar-it-cache");
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(4);

    /// <summary>The built images every home links to as its <c>images</c> directory.</summary>
    public static string SharedImagesDirectory => System.IO.Path.Combine(SharedCache, "images");

    public HangarHome()
    {
        Path = Directory.CreateTempSubdirectory("hit-").FullName;
        Directory.CreateDirectory(System.IO.Path.Combine(SharedCache, "images"));
        Directory.CreateDirectory(System.IO.Path.Combine(SharedCache, "debs"));
        Directory.CreateSymbolicLink(System.IO.Path.Combine(Path, "images"), System.IO.Path.Combine(SharedCache, "images"));
        Directory.CreateSymbolicLink(System.IO.Path.Combine(Path, "debs"), System.IO.Path.Combine(SharedCache, "debs"));
    }

    public string Path { get; }

    /// <summary>The network namespace every command of this home runs in (and so its server, its agent and their
    /// QEMUs and bridges); null for the test's own.</summary>
    public string? NetworkNamespace { get; init; }

    public string RuntimeDirectory => AgentOptions.ForHome(Path).RuntimeDirectory;

    public Task<CliResult> RunAsync(params string[] args) => HangarCli.RunInAsync(NetworkNamespace, Path, CommandTimeout, args);

    /// <summary>Runs a command that must succeed.</summary>
    public async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"hangar {string.Join(' ', args)} failed: {result}");
        return result;
    }

    public async Task<FleetStatus> StatusAsync()
    {
        var result = await OkAsync("vm", "list", "--output", "json");
        return JsonSerializer.Deserialize<FleetStatus>(result.Stdout, HangarJson.Options)!;
    }

    /// <summary>Writes a fleet file into the home and returns its path.</summary>
    public string WriteFleet(string yaml, string name = "fleet.yaml")
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, yaml);
        return file;
    }

    /// <summary>What VM <paramref name="vm"/>'s serial console wrote so far (its log in the home), "" before it has one.</summary>
    public string SerialLogText(string vm)
    {
        var path = System.IO.Path.Combine(Path, "vms", vm, "serial.log");
        if (!File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }

    public int? ServerPid => File.Exists(System.IO.Path.Combine(Path, "daemon.json"))
        ? JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(Path, "daemon.json"))).RootElement.GetProperty("Pid").GetInt32()
        : null;

    public IReadOnlyList<int> QemuPids() => QemuProcesses.Under(RuntimeDirectory);

    private readonly List<Hangar.Testing.PortLease> _ports = [];

    /// <summary>A host port for a forward, reserved for this home's test until it is disposed (see TestPorts).</summary>
    public int ReservePort()
    {
        var lease = Hangar.Testing.TestPorts.Reserve();
        _ports.Add(lease);
        return lease.Port;
    }

    public async ValueTask DisposeAsync()
    {
        try { await HangarCli.RunInAsync(NetworkNamespace, Path, TimeSpan.FromMinutes(2), "down", "--purge"); }
        catch (TimeoutException) { }
        foreach (var pid in QemuPids()) QemuProcesses.Kill(pid);
        if (ServerPid is { } server) QemuProcesses.Kill(server);
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        // Its sockets' directory under /run/hangar too: a test run leaves nothing behind.
        try { if (Directory.Exists(RuntimeDirectory)) Directory.Delete(RuntimeDirectory, recursive: true); }
        catch (IOException) { }
        foreach (var lease in _ports) lease.Dispose();
    }
}
