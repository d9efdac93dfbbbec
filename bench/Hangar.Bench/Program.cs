using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Hangar.Bench;
using Hangar.Images;
using Hangar.Protocol.Agent;
using Hangar.Qemu;
using static Hangar.Bench.Stats;

// hangar-bench [--quick] [--root DIR] [--memory MIB]
// Figures only: medians and ratios, never pass/fail. See bench/README.md for what each figure means.

var quick = args.Contains("--quick");
var memoryMiB = ArgValue("--memory") is { } m ? int.Parse(m) : 96; // 64 MiB (Hangar's minimum) does not boot the tiny guest: no serial output at all
var root = ArgValue("--root") ?? Path.Combine("/tmp", "hb." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)));
root = Path.GetFullPath(root);
var home = Path.Combine(root, "h");
var rawRoot = Path.Combine(root, "r");

var plan = quick
    ? new (int N, int Reps)[] { (1, 3), (10, 2) }
    : [(1, 5), (10, 3), (50, 2)];
var bootReps = quick ? 3 : 5;
var memoryAt = plan.Max(p => p.N);

using var cts = new CancellationTokenSource();
var ct = cts.Token;
var cleanedUp = 0;
void KillLeftovers()
{
    if (Interlocked.Exchange(ref cleanedUp, 1) == 1) return;
    var left = Proc.FindQemu(root);
    foreach (var pid in left) Proc.Kill(pid);
    if (left.Count > 0) Console.Error.WriteLine($"cleanup: killed {left.Count} leftover QEMU process(es) of this bench");
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; Console.Error.WriteLine("interrupted; cleaning up"); cts.Cancel(); });
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
AppDomain.CurrentDomain.ProcessExit += (_, _) => KillLeftovers();
AppDomain.CurrentDomain.UnhandledException += (_, _) => KillLeftovers();

Directory.CreateDirectory(root);
var round = 0;
HangarHost? host = null;
var exit = 0;
try
{
    Console.WriteLine($"Hangar bench — {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}{(quick ? " (--quick)" : "")}");
    Console.WriteLine($"host: {Environment.ProcessorCount} cores, load {Proc.LoadAverage()}, {QemuVersion()}, .NET {Environment.Version}, " +
                      $"other qemu-system processes running: {Proc.CountForeignQemu(root)}");
    Console.WriteLine($"guests: image tiny, {memoryMiB} MiB, 1 vCPU, TCG, no forwards, default serial health check; root {root}");
    Console.WriteLine();

    host = await HangarHost.StartAsync(home, ct);
    await Task.Delay(500, ct);
    var rssFresh = Proc.SelfRss();
    var rssFreshGc = RssAfterGc();

    // ---- warm-up: builds the tiny image (not measured), JITs Hangar's start and stop paths and the raw path ----
    Console.Write("warm-up: building/loading the tiny image and one start/stop of each path ... ");
    var warmWatch = Stopwatch.StartNew();
    var warm = await host.UpAsync(["warm"], memoryMiB, null, TimeSpan.FromMinutes(15), ct);
    await host.DownAsync(warm.Pids.Values, ct);
    var tiny = await host.Agent.Images.GetTinyAsync(null, ct);
    await RawRoundAsync(1);
    var warm2 = await host.UpAsync([NextName(0)], memoryMiB, null, TimeSpan.FromMinutes(2), ct);
    await host.DownAsync(warm2.Pids.Values, ct);
    Console.WriteLine($"done in {warmWatch.Elapsed.TotalSeconds:0.0} s");
    await Task.Delay(500, ct);
    var rssIdle = Proc.SelfRss();
    var rssIdleGc = RssAfterGc();
    long rssLoaded = 0, rssLoadedGc = 0;

    // ---- 1. orchestration overhead ----
    Console.WriteLine();
    Console.WriteLine("1. Orchestration overhead: apply accepted → every VM Running (hangar, via the watch stream) vs");
    Console.WriteLine("   launch → every QEMU answers query-status running (raw: same QEMU arguments, -daemonize, QMP cont).");
    var rows = new List<string[]>();
    var notes = new List<string>();
    foreach (var (n, reps) in plan)
    {
        var h = new List<HangarRound>();
        var r = new List<RawRound>();
        for (var i = 0; i < reps; i++)
        {
            // Alternate the order so that slow drift of the machine's load hits both paths alike.
            if (i % 2 == 0) { h.Add(await HangarRoundAsync(n)); r.Add(await RawRoundAsync(n)); }
            else { r.Add(await RawRoundAsync(n)); h.Add(await HangarRoundAsync(n)); }
            Console.Write($"\r   N={n}: {i + 1}/{reps} rounds");
        }
        Console.WriteLine();
        var hAccepted = h.Select(x => Ms(x.Accepted, x.AllRunning)).ToList();
        var hCall = h.Select(x => Ms(x.T0, x.AllRunning)).ToList();
        var rawAll = r.Select(x => Ms(x.T0, x.AllRunning)).ToList();
        var hm = Median(hAccepted);
        var rm = Median(rawAll);
        rows.Add([$"N={n}", $"{reps}", F(hm, "0"), F(Median(hCall), "0"), F(rm, "0"), F((hm - rm) / n, "0.0"), F(hm / rm, "0.00") + "×"]);

        // Where hangar's time goes (medians over rounds; times from the start of the apply call).
        var applyRtt = Median(h.Select(x => Ms(x.T0, x.Accepted)));
        var firstPreparing = Median(h.Select(x => x.WatchRunning.Keys.Select(v => x.Agent(v, VmPhase.Preparing, "resolving image")).Where(t => t is not null).Select(t => Ms(x.T0, t!.Value)).DefaultIfEmpty(double.NaN).Min()));
        var plan_ = Median(h.SelectMany(x => x.WatchRunning.Keys.Select(v => Span(x, v, (VmPhase.Preparing, "resolving image"), (VmPhase.Preparing, "preparing disk")))));
        var disk = Median(h.SelectMany(x => x.WatchRunning.Keys.Select(v => Span(x, v, (VmPhase.Preparing, "preparing disk"), (VmPhase.Starting, "launching QEMU")))));
        var launch = Median(h.SelectMany(x => x.WatchRunning.Keys.Select(v => Span(x, v, (VmPhase.Starting, "launching QEMU"), (VmPhase.Running, null)))));
        var lastAgentRunning = Median(h.Select(x => x.WatchRunning.Keys.Select(v => x.Agent(v, VmPhase.Running)).Where(t => t is not null).Select(t => Ms(x.T0, t!.Value)).DefaultIfEmpty(double.NaN).Max()));
        var lastWatch = Median(hCall);
        var rawLaunch = Median(r.SelectMany(x => x.Vms.Select(v => Ms(x.T0, v.Daemonized))));
        var rawQmp = Median(r.SelectMany(x => x.Vms.Select(v => Ms(v.Daemonized, v.Running))));
        var rawPerVm = Median(r.SelectMany(x => x.Vms.Select(v => Ms(x.T0, v.Running))));
        notes.Add($"   N={n}: apply call returns +{F(applyRtt, "0")} ms; agent's first VM leaves Pending +{F(firstPreparing, "0")} ms; " +
                  $"last VM Running in the agent +{F(lastAgentRunning, "0")} ms, on the watch stream +{F(lastWatch, "0")} ms (report path {F(lastWatch - lastAgentRunning, "0")} ms)");
        notes.Add($"          per VM: plan {F(plan_, "0.0")} ms, disk {F(disk, "0.0")} ms, launch+QMP attach+cont {F(launch, "0")} ms " +
                  $"(raw: exec→daemonized {F(rawLaunch, "0")} ms, QMP {F(rawQmp, "0.0")} ms, together {F(rawPerVm, "0")} ms)");
        notes.Add($"          CPU of this process per round: hangar {F(Median(h.Select(x => x.CpuMs)), "0")} ms ({F(Median(h.Select(x => x.CpuMs)) / n, "0.0")} ms/VM), " +
                  $"raw harness {F(Median(r.Select(x => x.CpuMs)), "0")} ms ({F(Median(r.Select(x => x.CpuMs)) / n, "0.0")} ms/VM)");
        notes.Add($"          samples (ms): hangar accepted→running {All(hAccepted)}, raw {All(rawAll)}");
    }
    PrintTable(["", "rounds", "hangar ms", "(from call)", "raw ms", "added/VM ms", "ratio"], rows);
    Console.WriteLine("   target: < 50 ms added per VM at N=1");
    Console.WriteLine("   where hangar's time goes (medians; + = after the apply call started):");
    foreach (var line in notes) Console.WriteLine(line);

    // ---- 2. boot to ready ----
    await Task.Delay(quick ? 2000 : 5000, ct); // let the machine calm down after the biggest round
    Console.WriteLine();
    Console.WriteLine($"2. Boot to ready, N=1: start → \"{TinyImage.ReadyMarker}\" in the serial log (hangar: from the apply call; raw: from exec).");
    var hReady = new List<double>();
    var rReady = new List<double>();
    for (var i = 0; i < bootReps; i++)
    {
        if (i % 2 == 0) { hReady.Add(await HangarReadyAsync()); rReady.Add(await RawReadyAsync()); }
        else { rReady.Add(await RawReadyAsync()); hReady.Add(await HangarReadyAsync()); }
        Console.Write($"\r   {i + 1}/{bootReps} rounds");
    }
    Console.WriteLine();
    var hr = Median(hReady);
    var rr = Median(rReady);
    PrintTable(["", "rounds", "hangar ms", "raw ms", "added ms", "ratio"],
        [["N=1", $"{bootReps}", F(hr, "0"), F(rr, "0"), F(hr - rr, "0"), F(hr / rr, "0.000") + "×"]]);
    Console.WriteLine($"   target: within 5% of raw (ratio ≤ 1.05×); samples hangar {All(hReady)}, raw {All(rReady)}");

    // ---- 3. memory ----
    Console.WriteLine();
    Console.WriteLine("3. Memory of this process (control plane + agent + the bench's own small harness; QEMUs excluded):");
    PrintTable(["", "VmRSS", "VmRSS after full GC"],
    [
        ["idle, fresh (before any apply)", Mb(rssFresh), Mb(rssFreshGc)],
        ["idle, after warm-up and teardown", Mb(rssIdle), Mb(rssIdleGc)],
        [$"{memoryAt} VMs running", Mb(rssLoaded), Mb(rssLoadedGc)],
    ]);
    Console.WriteLine("   target: RSS ≤ 100 MB with 50 VMs (issue 7)");

    Console.WriteLine();
    Console.WriteLine("Anchors (docs: /work/shared/design/MEASURED-FACTS.md, same kind of machine, median of 5):");
    Console.WriteLine("   raw qemu -daemonize returns 0.055 s; libvirt `virsh create` returns 0.43 s (≈ 375 ms added per VM);");
    Console.WriteLine("   ready line on serial ≈ 4.0 s raw, ≈ 4.9 s via virsh (≈ 1.22×).");
    Console.WriteLine($"host after run: load {Proc.LoadAverage()}, other qemu-system processes running: {Proc.CountForeignQemu(root)}");

    // ---------------------------------------------------------------------------------------------------------
    async Task<HangarRound> HangarRoundAsync(int n)
    {
        var names = Enumerable.Range(1, n).Select(NextName).ToList();
        var result = await host!.UpAsync(names, memoryMiB, null, TimeSpan.FromMinutes(5), ct);
        try
        {
            if (n == memoryAt && rssLoaded == 0)
            {
                await Task.Delay(2000, ct); // health monitors and reports settle
                rssLoaded = Proc.SelfRss();
                rssLoadedGc = RssAfterGc();
            }
        }
        finally
        {
            await host.DownAsync(result.Pids.Values, ct);
            await Task.Delay(300, ct);
        }
        return result;
    }

    async Task<double> HangarReadyAsync()
    {
        var name = NextName(1);
        var log = host!.SerialLogOf(name);
        long readyAt = 0;
        var result = await host.UpAsync([name], memoryMiB,
            async t0 => readyAt = await SerialMarker.WaitAsync(log, TinyImage.ReadyMarker, TimeSpan.FromMinutes(2), ct),
            TimeSpan.FromMinutes(2), ct);
        await host.DownAsync(result.Pids.Values, ct);
        await Task.Delay(300, ct);
        return Ms(result.T0, readyAt);
    }

    async Task<RawRound> RawRoundAsync(int n)
    {
        var vms = Enumerable.Range(1, n).Select(i => RawQemu.For(RawConfig(NextName(i), tiny))).ToList();
        try
        {
            var cpu0 = Proc.SelfCpuMs();
            var t0 = Stopwatch.GetTimestamp();
            await Task.WhenAll(vms.Select(v => Task.Run(() => v.LaunchAsync(ct), ct)));
            return new RawRound(t0, vms.Max(v => v.Running), vms.Select(v => (v.Daemonized, v.Running)).ToList(), Proc.SelfCpuMs() - cpu0);
        }
        finally
        {
            foreach (var v in vms) await v.DisposeAsync();
            await Task.Delay(300, ct);
        }
    }

    async Task<double> RawReadyAsync()
    {
        var vm = RawQemu.For(RawConfig(NextName(1), tiny));
        try
        {
            var t0 = Stopwatch.GetTimestamp();
            await vm.LaunchAsync(ct);
            var readyAt = await SerialMarker.WaitAsync(vm.SerialLog, TinyImage.ReadyMarker, TimeSpan.FromMinutes(2), ct);
            return Ms(t0, readyAt);
        }
        finally
        {
            await vm.DisposeAsync();
            await Task.Delay(300, ct);
        }
    }

    string NextName(int i)
    {
        if (i <= 1) round++;
        return $"b{round}-v{Math.Max(i, 1):00}";
    }

    // What VmLauncher.PlanAsync builds for `image: tiny` (no disk, no forwards, user network on), with paths in the
    // raw directory: the runtime directory and the serial log's directory are per VM, like Hangar's.
    QemuVmConfig RawConfig(string name, KernelImage image) => new()
    {
        Name = name,
        Accelerator = QemuAccelerator.Tcg,
        Vcpu = 1,
        MemoryMiB = memoryMiB,
        Kernel = image.KernelPath,
        Initrd = image.InitrdPath,
        KernelCommandLine = $"{image.KernelCommandLine} hangar.name={name}",
        Drives = [],
        Forwards = [],
        Network = true,
        Paths = QemuRuntimePaths.For(Path.Combine(rawRoot, "run", name), Path.Combine(rawRoot, "vms", name, "serial.log")),
    };
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
    // QEMUs first (the agent leaves them running on dispose, by design), then the server, then the files.
    KillLeftovers();
    if (host is not null)
    {
        try { await host.DisposeAsync(); }
        catch (Exception e) { Console.Error.WriteLine($"cleanup: {e.Message}"); }
    }
    var again = Proc.FindQemu(root);
    await Proc.KillAndWaitAsync(again, TimeSpan.FromSeconds(10));
    if (Proc.FindQemu(root).Count > 0) Console.Error.WriteLine("cleanup: some QEMU of this bench is still alive!");
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

static long RssAfterGc()
{
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    return Proc.SelfRss();
}

static double Span(HangarRound x, string vm, (VmPhase Phase, string? Detail) from, (VmPhase Phase, string? Detail) to) =>
    x.Agent(vm, from.Phase, from.Detail) is { } a && x.Agent(vm, to.Phase, to.Detail) is { } b ? Ms(a, b) : double.NaN;

static string QemuVersion()
{
    try
    {
        using var p = Process.Start(new ProcessStartInfo("qemu-system-x86_64", "--version") { RedirectStandardOutput = true })!;
        var line = p.StandardOutput.ReadLine() ?? "";
        p.WaitForExit();
        return line.Replace("QEMU emulator version ", "QEMU ");
    }
    catch (Exception)
    {
        return "QEMU ?";
    }
}

static void PrintTable(string[] header, List<string[]> rows)
{
    var all = new List<string[]> { header };
    all.AddRange(rows);
    var widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => r[c].Length)).ToArray();
    foreach (var row in all)
        Console.WriteLine("   " + string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
}

internal sealed record RawRound(long T0, long AllRunning, List<(long Daemonized, long Running)> Vms, double CpuMs);
