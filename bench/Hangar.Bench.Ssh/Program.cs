using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Hangar.Bench;
using Hangar.Images;
using Hangar.Qemu;
using static Hangar.Bench.Stats;

// hangar-bench-ssh [--root DIR] [--reps N] [--memory MIB] [--vcpu N] [--images DIR] [--no-virsh] [--sides hangar,raw,virsh] [--keep]
// Boot to SSH login of the debian-12 image: Hangar vs raw QEMU (same arguments) vs `virsh create` of `hangar vm xml`'s
// domain, in one run, rounds in rotating order; and libvirt's QEMU capability probe timed on its own.
// Figures only, never pass/fail. See bench/README.md.

var root = Path.GetFullPath(ArgValue("--root") ?? Path.Combine("/tmp", "hbs." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))));
var reps = ArgValue("--reps") is { } r ? int.Parse(r) : 2;
var memoryMiB = ArgValue("--memory") is { } m ? int.Parse(m) : 512;
var vcpu = ArgValue("--vcpu") is { } v ? int.Parse(v) : 1;
// The image cache the integration tests share (Debian12Cache): built once per machine, never deleted by the bench.
var images = Path.GetFullPath(ArgValue("--images") ?? Path.Combine(Path.GetTempPath(), "hangar-it-cache", "images"));
var withVirsh = !args.Contains("--no-virsh");
var tag = "hbs" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2)); // in every VM and domain name of this run
var home = Path.Combine(root, "h");
var timeout = TimeSpan.FromMinutes(10);

using var cts = new CancellationTokenSource();
var ct = cts.Token;
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; Console.Error.WriteLine("interrupted; cleaning up"); cts.Cancel(); });
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
var cleanedUp = 0;
void Sweep()
{
    if (Interlocked.Exchange(ref cleanedUp, 1) == 1) return;
    var left = Proc.FindQemu(root).Concat(Proc.FindQemu(tag)).Distinct().ToList();
    foreach (var pid in left) Proc.Kill(pid);
    if (left.Count > 0) Console.Error.WriteLine($"cleanup: killed {left.Count} leftover QEMU process(es) of this bench");
}
AppDomain.CurrentDomain.ProcessExit += (_, _) => Sweep();

Directory.CreateDirectory(root);
HangarHost? host = null;
PrivateLibvirt? libvirt = null;
var exit = 0;
var total = Stopwatch.StartNew();
try
{
    Console.WriteLine($"Hangar boot-to-SSH bench — {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}");
    Console.WriteLine($"host: {Environment.ProcessorCount} cores, load {Proc.LoadAverage()}, {QemuVersion()}, .NET {Environment.Version}, " +
                      $"other qemu-system processes running: {Proc.CountForeignQemu(root)}");
    Console.WriteLine($"guest: image debian-12, {memoryMiB} MiB, {vcpu} vCPU, TCG, user-mode NIC with one forward to :22, identity off, " +
                      $"user {SshProbe.User} with a fresh ed25519 key; {reps} round(s); root {root}");
    Console.WriteLine();

    Console.Write("warm-up: the debian-12 image (built once per machine into " + images + ") ... ");
    var watch = Stopwatch.StartNew();
    var image = await new Debian12ImageBuilder(images).EnsureAsync(null, ct);
    Console.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s ({Path.GetFileName(Path.GetDirectoryName(image.DiskPath))})");
    Directory.CreateDirectory(home);
    if (!Directory.Exists(Path.Combine(home, "images"))) Directory.CreateSymbolicLink(Path.Combine(home, "images"), images);
    var ssh = await SshProbe.CreateAsync(Path.Combine(root, "key"), ct);
    host = await HangarHost.StartAsync(home, ct);

    var probe = new List<string>();
    if (withVirsh)
    {
        Console.Write("libvirt: ");
        Console.WriteLine(await PrivateLibvirt.EnsureInstalledAsync(ct));
        watch.Restart();
        libvirt = await PrivateLibvirt.StartAsync(Path.Combine(root, "lv"), ct);
        Console.WriteLine($"libvirt: own libvirtd started in {watch.Elapsed.TotalMilliseconds:0} ms ({libvirt.Uri})");
        probe.AddRange(await LibvirtProbe.MeasureAsync(libvirt, ct));
        foreach (var line in probe) Console.WriteLine("   " + line);
    }
    var sides = new BootSides(host, libvirt, ssh, root, memoryMiB, vcpu, timeout);

    // Same arguments? Plan a VM the way the agent does, start it through Hangar, and compare with QEMU's real argv.
    string? argsCheck;
    {
        var port = BootSides.FreePort();
        var hName = $"{tag}-chk";
        var rawPlan = await sides.PlanAsync(hName + "r", port, ct);
        var request = new Hangar.Protocol.Api.ApplyRequest("bench.yaml", sides.FleetYaml(hName, port), home, "bench", StartStopped: true);
        await host.Client.ApplyAsync(request, ct);
        var pidWatch = Stopwatch.StartNew();
        int? pid = null;
        while (pid is null && pidWatch.Elapsed < TimeSpan.FromMinutes(2))
        {
            pid = host.Agent.Reconciler.Snapshot().Vms.FirstOrDefault(x => x.Name == hName && x.Pid is not null)?.Pid;
            await Task.Delay(100, ct);
        }
        var argv = pid is { } p ? File.ReadAllText($"/proc/{p}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList() : [];
        argsCheck = argv.Count == 0 ? "could not read Hangar's QEMU arguments"
            : BootSides.CompareArguments(argv, hName, QemuCommandLine.Build(rawPlan.Config), hName + "r");
        await host.DownAsync([], ct);
        Console.WriteLine(argsCheck is null
            ? $"arguments: raw's command line is Hangar's (QEMU's /proc/PID/cmdline, {argv.Count} arguments; directories, name and port aside)"
            : $"arguments DIFFER:\n   {argsCheck}");
    }
    Console.WriteLine();

    // ---- rounds, order rotating so that drift hits each side alike ----
    var samples = new List<BootSample>();
    var order = (withVirsh ? new[] { "hangar", "raw", "virsh" } : ["hangar", "raw"])
        .Where(side => ArgValue("--sides") is not { } only || only.Split(',').Contains(side)).ToArray();
    for (var round = 1; round <= reps; round++)
    {
        var rotated = order.Skip((round - 1) % order.Length).Concat(order.Take((round - 1) % order.Length)).ToArray();
        foreach (var side in rotated)
        {
            var name = $"{tag}-{side[0]}{round}";
            var sample = side switch
            {
                "hangar" => await sides.HangarAsync(name, ct),
                "raw" => await sides.RawAsync(name, ct),
                _ => await sides.VirshAsync(name, ct),
            };
            samples.Add(sample);
            Console.WriteLine($"round {round} {side,-6}: SSH login after {sample.BootMs / 1000:0.0} s (start call {sample.StartMs:0} ms, " +
                              $"{sample.SshAttempts} ssh attempts{(sample.Note.Length > 0 ? ", " + sample.Note : "")}); load {Proc.LoadAverage()}");
            await Task.Delay(1000, ct);
        }
    }

    Console.WriteLine();
    Console.WriteLine("Boot to SSH login (from the start call to the first `ssh … true` that exits 0), seconds:");
    Console.WriteLine("            samples                     median   start call median");
    double MedianOf(string side) => Median(samples.Where(s => s.Side == side).Select(s => s.BootMs));
    foreach (var side in order)
    {
        var of = samples.Where(s => s.Side == side).ToList();
        Console.WriteLine($"   {side,-7} {All(of.Select(s => s.BootMs / 1000), "0.0"),-28} {F(MedianOf(side) / 1000),6}   " +
                          $"{F(Median(of.Select(s => s.StartMs)), "0")} ms ({(side == "hangar" ? "apply" : side == "raw" ? "exec → running" : "virsh create")})");
    }
    Console.WriteLine($"   hangar/raw  {F(MedianOf("hangar") / MedianOf("raw"), "0.000")}×");
    if (withVirsh) Console.WriteLine($"   virsh/raw   {F(MedianOf("virsh") / MedianOf("raw"), "0.000")}×");
    if (withVirsh)
    {
        Console.WriteLine("libvirt's QEMU capability probe (apart from the boots above):");
        foreach (var line in probe) Console.WriteLine("   " + line);
        foreach (var line in await LibvirtProbe.AfterRestartAsync(libvirt!, Path.Combine(root, "lv"), ct)) Console.WriteLine("   " + line);
        foreach (var line in await LibvirtProbe.DefaultUserAsync(Path.Combine(root, "lv-default"), tag, ct)) Console.WriteLine("   " + line);
    }
    Console.WriteLine($"whole run {total.Elapsed.TotalMinutes:0.0} min; load at the end {Proc.LoadAverage()}, other qemu-system processes: {Proc.CountForeignQemu(root)}");
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("interrupted");
    exit = 130;
}
catch (Exception e)
{
    Console.Error.WriteLine($"bench failed: {e}");
    exit = 1;
}
finally
{
    Sweep();
    if (libvirt is not null) await LibvirtProbe.StopAsync(libvirt, tag);
    if (host is not null)
    {
        try { await host.DisposeAsync(); }
        catch (Exception e) { Console.Error.WriteLine($"cleanup: {e.Message}"); }
    }
    var again = Proc.FindQemu(root).Concat(Proc.FindQemu(tag)).ToList();
    await Proc.KillAndWaitAsync(again, TimeSpan.FromSeconds(10));
    if (args.Contains("--keep")) Console.Error.WriteLine($"kept {root}");
    else
    {
        try { Directory.Delete(root, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Console.Error.WriteLine($"cleanup: {e.Message}"); }
    }
}
return exit;

string? ArgValue(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string QemuVersion()
{
    try
    {
        using var p = Process.Start(new ProcessStartInfo("qemu-system-x86_64", "--version") { RedirectStandardOutput = true })!;
        var first = p.StandardOutput.ReadLine() ?? "";
        p.WaitForExit();
        return first.Replace("QEMU emulator version ", "QEMU ", StringComparison.Ordinal);
    }
    catch (System.ComponentModel.Win32Exception) { return "QEMU not found"; }
}
