using System.Diagnostics;
using System.Globalization;
using Hangar.Bench.Soak;
using Hangar.Client;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Testing;

// hangar-bench-soak --root DIR [--vms N] [--cycles M] [--minutes D] [--every K] [--memory MIB] [--hangar PATH]
// Starts the real server (`hangar up`) with N tiny VMs in DIR/home, then runs M cycles — a cycle is one action on one
// VM: `vm restart`, `vm stop` + `vm start`, or SIGKILL of its QEMU (the agent restarts it) — in rounds (every VM at
// once, each waiting until its VM is healthy again), until M cycles are done or D minutes have passed. Every K rounds
// it prints the server's descriptors and memory.
var options = SoakOptions.Parse(args);
Directory.CreateDirectory(options.Root);
var home = Path.Combine(options.Root, "home");
Directory.CreateDirectory(home);
var fleetFile = Path.Combine(home, "fleet.yaml");
var names = Enumerable.Range(0, options.Vms).Select(i => $"s{i:00}").ToArray();
File.WriteAllText(fleetFile, "vms:\n" + string.Concat(names.Select(n => $"  {n}:\n    image: tiny\n    memory: {options.MemoryMiB}MiB\n")));

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

Console.WriteLine($"Hangar soak — {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}");
Console.WriteLine($"host: {Environment.ProcessorCount} cores, load {Load()}; client: {string.Join(' ', [HangarCommand.Client.FileName, .. HangarCommand.Client.Prefix])}");
Console.WriteLine($"{options.Vms} VMs (tiny, {options.MemoryMiB} MiB, TCG), up to {options.Cycles} cycles or {options.Minutes} min; root {options.Root}");
Console.Write("hangar up (builds the tiny image the first time) ... ");
var upWatch = Stopwatch.StartNew();
var up = await HangarCommand.RunAsync(home, ["up", fleetFile], cancel.Token);
if (up.ExitCode != 0) { Console.WriteLine($"failed:\n{up.StandardOutput}{up.StandardError}"); return 1; }
Console.WriteLine($"done in {upWatch.Elapsed.TotalSeconds:0.0} s");

var info = DaemonInfo.TryRead(home) ?? throw new InvalidOperationException($"No daemon.json in {home} after hangar up.");
var server = info.Pid;
using var client = new HangarClient(new Uri(info.Url), info.ApiToken);
await using var watch = new FleetWatch(client);
var timeout = TimeSpan.FromMinutes(3);

var started = Stopwatch.StartNew();
var deadline = TimeSpan.FromMinutes(options.Minutes);
var done = 0;
var actions = new int[3];
var samples = new List<(int Cycles, TimeSpan At, ServerFigures Figures)>();

void Sample(int cycles)
{
    var figures = ServerFigures.Read(server);
    {
        samples.Add((cycles, started.Elapsed, figures));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{cycles,7} {started.Elapsed.TotalSeconds,7:0} {figures.Fds,5} {figures.Pipes,5} {figures.Sockets,5} {figures.Files,5} {figures.OtherFds,5} " +
            $"{figures.Threads,7} {figures.RssMiB,7:0.0} {figures.AnonMiB,7:0.0} {figures.FileMiB,7:0.0} {figures.ShmemMiB,7:0.0}"));
    }
}

Console.WriteLine();
Console.WriteLine("server (pid " + server + "): descriptors by kind, threads, memory in MiB (RSS = anon + file + shmem; shmem is");
Console.WriteLine("the runtime's double-mapped JIT code); a round is one action on every VM at once; a row every " + options.Every + " rounds");
Console.WriteLine(" cycles  time s   fds pipes socks files other threads     RSS    anon    file   shmem");
Sample(0);

// One round: every VM does one action at once; the rows are read between rounds, when no QEMU launch is in flight
// (a launch holds pipes for a moment, and a row taken during one would show them).
async Task CycleAsync(int index, int round)
{
    var name = names[index];
    var before = Vm(await watch.WaitAsync(f => Vm(f, name) is { Phase: VmPhase.Running, Pid: not null }, timeout, $"{name} running"), name)!.Pid!.Value;
    var action = (index + round) % 3;
    switch (action)
    {
        case 0:
            await client.VmActionAsync(name, "restart", cancel.Token);
            break;
        case 1:
            await client.VmActionAsync(name, "stop", cancel.Token);
            await watch.WaitAsync(f => Vm(f, name) is { Phase: VmPhase.Stopped }, timeout, $"{name} stopped");
            await client.VmActionAsync(name, "start", cancel.Token);
            break;
        default:
            Process.GetProcessById(before).Kill(); // SIGKILL: a crash, as the agent sees it
            break;
    }
    // Healthy before the next action: a graceful stop needs a guest that has booted far enough to see ACPI.
    await watch.WaitAsync(f => Vm(f, name) is { Phase: VmPhase.Running, Health: HealthState.Healthy, Pid: { } pid } && pid != before,
        timeout, $"{name} running and healthy again after action {action}");
    Interlocked.Increment(ref actions[action]);
    Interlocked.Increment(ref done);
}

var failed = false;
try
{
    for (var round = 0; done < options.Cycles && started.Elapsed < deadline && !cancel.IsCancellationRequested; round++)
    {
        var remaining = options.Cycles - done;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(options.Vms, remaining)).Select(i => CycleAsync(i, round)));
        if ((round + 1) % options.Every == 0) Sample(done);
    }
}
catch (Exception e) when (e is TimeoutException or HttpRequestException or ApiException)
{
    Console.WriteLine($"stopped early: {e.Message}");
    failed = true;
}
if (samples[^1].Cycles != done) Sample(done);

var first = samples[0].Figures;
var last = samples[^1].Figures;
var qemus = (await client.GetFleetAsync(CancellationToken.None)).Vms.Count(v => v.Phase == VmPhase.Running);
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{done} cycles in {started.Elapsed.TotalMinutes:0.0} min: {actions[0]} restarts, {actions[1]} stop+start, {actions[2]} kills; " +
    $"{qemus} of {options.Vms} VMs running at the end"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"delta start → end: fds {last.Fds - first.Fds:+0;-0;0} (pipes {last.Pipes - first.Pipes:+0;-0;0}, sockets {last.Sockets - first.Sockets:+0;-0;0}, " +
    $"files {last.Files - first.Files:+0;-0;0}), threads {last.Threads - first.Threads:+0;-0;0}, RSS {last.RssMiB - first.RssMiB:+0.0;-0.0;0} MiB " +
    $"(anon {last.AnonMiB - first.AnonMiB:+0.0;-0.0;0}, file {last.FileMiB - first.FileMiB:+0.0;-0.0;0}, shmem {last.ShmemMiB - first.ShmemMiB:+0.0;-0.0;0})"));
if (done > 0)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"per cycle: {(double)(last.Fds - first.Fds) / done:+0.00;-0.00;0} fds, {(last.RssMiB - first.RssMiB) * 1024 / done:+0;-0;0} KiB RSS"));
Console.WriteLine($"host after run: load {Load()}");

await watch.DisposeAsync();
var down = await HangarCommand.RunAsync(home, ["down", "--purge"], CancellationToken.None);
if (down.ExitCode != 0) Console.WriteLine($"hangar down --purge failed:\n{down.StandardOutput}{down.StandardError}");
if (ServerFigures.IsAlive(server)) Process.GetProcessById(server).Kill();
return failed ? 1 : 0;

static string Load() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]);

static VmStatus? Vm(FleetStatus fleet, string name) => fleet.Vms.FirstOrDefault(v => v.Name == name);
