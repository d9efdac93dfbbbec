using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Hangar.Agent.Guests;
using Hangar.Agent.Vms;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Qemu;
using Hangar.Qemu.Libvirt;
using Hangar.Spec;
using static Hangar.Bench.Stats;

namespace Hangar.Bench;

/// <summary>
/// The three ways of booting the same debian-12 VM. Hangar: an apply of a one-VM fleet through the API. Raw: the
/// command line <see cref="QemuCommandLine.Build"/> makes of the <see cref="QemuVmConfig"/> that
/// <see cref="VmLauncher.PlanAsync"/> (the agent's own planner) makes of that VM, run by <see cref="RawQemu"/>.
/// virsh: <see cref="LibvirtDomainXml.Write"/> of that config (what <c>hangar vm xml</c> prints), <c>virsh create</c>.
/// Raw and virsh get their own overlay on the same image and their own seed, made before the clock starts.
/// </summary>
internal sealed class BootSides(HangarHost host, PrivateLibvirt? libvirt, SshProbe ssh, string root, int memoryMiB, int vcpu, TimeSpan timeout)
{
    private readonly QemuImg _qemuImg = new();
    private readonly SeedImageWriter _seeds = new();
    private int _changeShown;

    public string FleetYaml(string name, int port) => $"""
        vms:
          {name}:
            image: debian-12
            vcpu: {vcpu}
            memory: {memoryMiB}MiB
            identity: false
            forwards: ["{port}:22"]
            guest:
              users:
                - name: {SshProbe.User}
                  sshAuthorizedKeys: ["{ssh.PublicKey}"]
        """;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task<BootSample> HangarAsync(string name, CancellationToken ct)
    {
        var port = FreePort();
        var request = new ApplyRequest("bench.yaml", FleetYaml(name, port), host.Home, "bench", StartStopped: true);
        try
        {
            var t0 = Stopwatch.GetTimestamp();
            await host.Client.ApplyAsync(request, ct);
            var applied = Stopwatch.GetTimestamp();
            var (at, attempts) = await ssh.WaitAsync(port, timeout,
                () => host.Agent.Reconciler.Snapshot().Vms.FirstOrDefault(x => x.Name == name) is not { Phase: VmPhase.Failed }, ct);
            return new BootSample("hangar", name, Ms(t0, at), Ms(t0, applied), attempts);
        }
        finally
        {
            await host.DownAsync([], ct);
        }
    }

    /// <summary>What the agent would run for VM <paramref name="name"/> on port <paramref name="port"/>, planned by its own launcher.</summary>
    public async Task<VmLaunchPlan> PlanAsync(string name, int port, CancellationToken ct)
    {
        var parsed = FleetParser.Parse(FleetYaml(name, port), "bench.yaml", host.Home);
        if (parsed.Spec is null) throw new InvalidOperationException("bench fleet: " + string.Join("; ", parsed.Errors));
        var launcher = new VmLauncher(host.Agent.Options, host.Agent.Images, host.Agent.Accelerators, host.Agent.Credentials);
        return await launcher.PlanAsync(new DesiredVm(parsed.Spec.Vms.Single(), null, true, 0), null, ct);
    }

    /// <summary>The plan's config with everything under <paramref name="dir"/>: runtime sockets, serial log, a new overlay and seed (same file names).</summary>
    private async Task<(QemuVmConfig Config, double PrepMs)> OwnCopyAsync(VmLaunchPlan plan, string dir, CancellationToken ct)
    {
        var t0 = Stopwatch.GetTimestamp();
        var vmDir = Path.Combine(dir, "vms", plan.Config.Name);
        Directory.CreateDirectory(vmDir);
        var drives = new List<QemuDrive>();
        foreach (var drive in plan.Config.Drives)
        {
            var path = Path.Combine(vmDir, Path.GetFileName(drive.Path));
            if (drive.Id == "disk0") await _qemuImg.CreateOverlayAsync(plan.BackingImage!, plan.BackingFormat!, path, plan.DiskBytes, ct);
            else if (drive.Id == "seed") await _seeds.WriteAsync(plan.Seed!, path, ct);
            else throw new InvalidOperationException($"unexpected drive {drive.Id}");
            drives.Add(drive with { Path = path });
        }
        var config = plan.Config with
        {
            Drives = drives,
            Paths = QemuRuntimePaths.For(Path.Combine(dir, "run", plan.Config.Name), Path.Combine(vmDir, "serial.log")),
        };
        return (config, Ms(t0, Stopwatch.GetTimestamp()));
    }

    public async Task<BootSample> RawAsync(string name, CancellationToken ct)
    {
        var port = FreePort();
        var (config, prepMs) = await OwnCopyAsync(await PlanAsync(name, port, ct), Path.Combine(root, "r"), ct);
        var vm = RawQemu.For(config);
        try
        {
            var t0 = Stopwatch.GetTimestamp();
            await vm.LaunchAsync(ct);
            var (at, attempts) = await ssh.WaitAsync(port, timeout, () => Proc.IsAlive(vm.Pid), ct);
            return new BootSample("raw", name, Ms(t0, at), Ms(t0, vm.Running), attempts, $"prep {prepMs:0} ms");
        }
        finally
        {
            await vm.DisposeAsync();
        }
    }

    public async Task<BootSample> VirshAsync(string name, CancellationToken ct)
    {
        var lv = libvirt ?? throw new InvalidOperationException("no libvirtd");
        var port = FreePort();
        var plan = await PlanAsync(name, port, ct);
        var (config, prepMs) = await OwnCopyAsync(plan, Path.Combine(root, "v"), ct);
        Directory.CreateDirectory(Path.GetDirectoryName(config.Paths.QmpSocket)!);
        var (xml, change) = VirshDomain.For(config, new HangarDomainMetadata(BuiltinImages.Debian12, plan.DiskBytes, host.Agent.Options.Name));
        if (change is not null && Interlocked.Exchange(ref _changeShown, 1) == 0) Console.WriteLine($"virsh domain: {change}");
        var xmlFile = Path.Combine(root, "v", name + ".xml");
        await File.WriteAllTextAsync(xmlFile, xml, ct);
        var logFrom = lv.LogLines().Length;
        try
        {
            var t0 = Stopwatch.GetTimestamp();
            var (_, createMs) = await lv.OkAsync(ct, "create", xmlFile);
            var (at, attempts) = await ssh.WaitAsync(port, timeout, () => Proc.FindQemu(name).Count > 0, ct);
            var (probes, _) = lv.ProbeSummary(logFrom);
            return new BootSample("virsh", name, Ms(t0, at), createMs, attempts, $"prep {prepMs:0} ms, capability probes during it: {probes}");
        }
        finally
        {
            await lv.VirshAsync(CancellationToken.None, "destroy", name);
            var deadline = Stopwatch.StartNew();
            while (Proc.FindQemu(name).Count > 0 && deadline.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(50, CancellationToken.None);
            await Proc.KillAndWaitAsync(Proc.FindQemu(name), TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>
    /// Hangar's QEMU arguments against raw's for the same VM, with directories and the VM's name and port taken out:
    /// null when they are the same, else the first differences.
    /// </summary>
    public static string? CompareArguments(IReadOnlyList<string> hangar, string hangarName, IReadOnlyList<string> raw, string rawName)
    {
        static string[] Norm(IEnumerable<string> args, string name) =>
            args.Select(a => Regex.Replace(a.Replace(name, "NAME", StringComparison.Ordinal), @"(/[^/,=\s]+)+/", ".../"))
                .Select(a => Regex.Replace(a, @"127\.0\.0\.1:\d+-:22", "127.0.0.1:PORT-:22")).ToArray();
        var (h, r) = (Norm(hangar, hangarName), Norm(raw, rawName));
        if (h.SequenceEqual(r)) return null;
        var diff = h.Except(r).Select(a => "hangar only: " + a).Concat(r.Except(h).Select(a => "raw only: " + a)).Take(8);
        return string.Join("\n   ", diff) + (h.Length != r.Length ? $"\n   ({h.Length} vs {r.Length} arguments)" : "");
    }
}
