using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hangar.Bench.Plan;
using Hangar.Client;
using Hangar.ControlPlane;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Spec;

// hangar-bench-plan [--quick] [--sizes 100,1000,10000] [--root DIR] [--keep]
// Plan and apply at scale against an in-process control plane, with a fake agent on a loopback WebSocket (no QEMU).
// Figures only, never pass/fail; targets are printed next to them. See bench/README.md, "Plan and apply at scale".

// hangar-bench-plan --serve: the scale bench's control plane, in a process of its own (Scale/ScaleServer.cs).
if (args.Contains("--serve")) return await Hangar.Bench.Plan.Scale.ScaleServer.RunAsync(ArgValue("--store")!, ArgValue("--dir")!);

var quick = args.Contains("--quick");
var keep = args.Contains("--keep");
var sizes = ArgValue("--sizes") is { } s ? s.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray() : [100, 1_000, 10_000];
int Reps(int n) => quick ? (n >= 10_000 ? 1 : 3) : (n >= 10_000 ? 3 : 5);
var root = Path.GetFullPath(ArgValue("--root") ?? Path.Combine(Path.GetTempPath(), "hbp." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))));
Directory.CreateDirectory(root);

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var ct = cts.Token;
// hangar-bench-plan --scale: many agents, a control plane process of its own, SQLite and PostgreSQL (Scale/ScaleBench.cs).
if (args.Contains("--scale"))
{
    try { return await Hangar.Bench.Plan.Scale.ScaleBench.RunAsync(args, root, ct); }
    finally { if (!keep) { try { Directory.Delete(root, recursive: true); } catch (IOException) { } } }
}
var rolloutTimeout = TimeSpan.FromMinutes(10);
var exit = 0;

Console.WriteLine($"Hangar plan/apply bench — {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}{(quick ? " (--quick)" : "")}");
Console.WriteLine($"host: {Environment.ProcessorCount} cores, load {LoadAverage()}, .NET {Environment.Version}, workstation non-concurrent GC");
Console.WriteLine($"fleet: N VMs of image tiny, 128MiB, no forwards; change = every 10th VM's memory 128MiB → 192MiB; root {root}");
Console.WriteLine("control plane in this process (SQLite in the root), one fake agent on a loopback WebSocket answering every desired");
Console.WriteLine("state at once with every VM running+healthy; client = HangarClient over loopback HTTP.");
Console.WriteLine();

try
{
    // Warm-up (not measured): JIT of every path, SQLite, Kestrel, the client.
    Console.Write("warm-up: two rounds at N=100 ... ");
    var warm = Stopwatch.StartNew();
    for (var i = 0; i < 2; i++) await RoundAsync(100, $"warm{i}", measureExtras: false);
    Console.WriteLine($"done in {warm.Elapsed.TotalSeconds:0.0} s");
    Console.WriteLine();

    var results = new List<(int N, int Reps, List<Round> Rounds, long RssBefore, long RssWith, long RssAfter)>();
    foreach (var n in sizes)
    {
        ForceGc();
        var rssBefore = SelfRss();
        var rounds = new List<Round>();
        long rssWith = 0;
        var reps = Reps(n);
        Console.Write($"N={n}: {reps} round(s) ");
        for (var r = 0; r < reps; r++)
        {
            var round = await RoundAsync(n, $"n{n}r{r}", measureExtras: true);
            rssWith = Math.Max(rssWith, round.RssWithFleet);
            rounds.Add(round);
            Console.Write(".");
        }
        ForceGc();
        var rssAfter = SelfRss();
        Console.WriteLine();
        results.Add((n, reps, rounds, rssBefore, rssWith, rssAfter));
    }

    Console.WriteLine();
    Console.WriteLine("1. Through the API (HangarClient → loopback HTTP → control plane → fake agent over WebSocket), medians, ms:");
    Console.WriteLine("   (a) plan fresh  = POST /api/v1/plan of the whole fleet against an empty control plane");
    Console.WriteLine("   (b) apply fresh = POST /api/v1/apply until the answer (parse, diff, SQLite commit, desired state sent)");
    Console.WriteLine("   (c) rollout ok  = from the apply call until the watch stream shows rollout 'succeeded' for that generation");
    Console.WriteLine("   (d) plan change = POST /api/v1/plan of the changed fleet against the committed one");
    Console.WriteLine("   (e) apply change, (f) rollout ok of the change (as (b), (c))");
    Console.WriteLine();
    Console.WriteLine("           rounds  (a) plan  (b) apply  (c) rollout  (d) plan Δ  (e) apply Δ  (f) rollout Δ   parse  parse Δ");
    foreach (var (n, reps, rounds, _, _, _) in results)
    {
        Console.WriteLine($"   N={n,-6} {reps,5} {M(rounds, x => x.PlanFresh),9} {M(rounds, x => x.ApplyFresh),10} {M(rounds, x => x.RolloutFresh),12} " +
                          $"{M(rounds, x => x.PlanChange),11} {M(rounds, x => x.ApplyChange),12} {M(rounds, x => x.RolloutChange),14} {M(rounds, x => x.ParseFresh),7} {M(rounds, x => x.ParseChange),8}");
    }
    Console.WriteLine("   targets: plan of 10,000 VMs < 1000 ms ((a), (d)); commit of 10,000 VMs < 2000 ms ((b), (e)).");
    Console.WriteLine("   parse = FleetParser.Parse (YAML → validated FleetSpec) alone, in this process, no server: the part of (a)/(b) that is not the server's own work.");
    if (results.FirstOrDefault(x => x.N == 10_000) is { Rounds: not null } big)
    {
        var plan = Stats(big.Rounds, x => x.PlanFresh);
        var commit = Stats(big.Rounds, x => x.ApplyFresh);
        Console.WriteLine($"   at N=10000: plan {F(plan)} ms → {(plan < 1000 ? "within" : "OVER")} target; commit {F(commit)} ms → {(commit < 2000 ? "within" : "OVER")} target.");
    }
    Console.WriteLine("   samples:");
    foreach (var (n, _, rounds, _, _, _) in results)
    {
        Console.WriteLine($"   N={n}: (a) {All(rounds, x => x.PlanFresh)} (b) {All(rounds, x => x.ApplyFresh)} (c) {All(rounds, x => x.RolloutFresh)} " +
                          $"(d) {All(rounds, x => x.PlanChange)} (e) {All(rounds, x => x.ApplyChange)} (f) {All(rounds, x => x.RolloutChange)}");
    }

    Console.WriteLine();
    Console.WriteLine("2. Where the time goes (medians, ms; in this process, no HTTP):");
    Console.WriteLine("           FleetDiff.Compare Δ  FleetService.Plan Δ  Status()  DesiredFor()  agent answer  watch lines  GC pause/round  gen2 GCs");
    foreach (var (n, _, rounds, _, _, _) in results)
    {
        Console.WriteLine($"   N={n,-6} {M(rounds, x => x.DiffChange),19} {M(rounds, x => x.InProcPlanChange),20} {M(rounds, x => x.StatusMs),9} {M(rounds, x => x.DesiredForMs),13} " +
                          $"{M(rounds, x => x.AgentAnswerMs),13} {M(rounds, x => x.WatchLines, "0"),12} {M(rounds, x => x.GcPauseMs),15} {M(rounds, x => x.Gen2, "0"),9}");
    }
    Console.WriteLine("   FleetService.ObservedReceived of a report of N VMs after one of the same N VMs (every report but the first), ms:");
    Console.WriteLine("   " + string.Join("   ", results.Select(x => $"N={x.N}: {M(x.Rounds, r => r.ObservedReceivedMs)}")));
    Console.WriteLine("   rollout split (medians, ms from the apply call): fake agent has sent its answer → watch shows 'succeeded'");
    foreach (var (n, _, rounds, _, _, _) in results)
    {
        Console.WriteLine($"   N={n,-6} fresh: {M(rounds, x => x.AgentAnsweredFresh)} → {M(rounds, x => x.RolloutFresh)}   change: {M(rounds, x => x.AgentAnsweredChange)} → {M(rounds, x => x.RolloutChange)}");
    }
    Console.WriteLine("   FleetDiff.Compare Δ = the diff of the two parsed specs; FleetService.Plan Δ = parse + diff + placement checks (what (d) runs server-side);");
    Console.WriteLine("   Status() = FleetService.Status() with N VMs reported (built for every watch line and every health-gate step);");
    Console.WriteLine("   DesiredFor() = the desired state of the agent (all N VMs); agent answer = the fake agent building + sending its observed state;");
    Console.WriteLine("   GC pause/round = total GC pause time of this process during one round (all of (a)–(f)), with the gen-2 collections it took.");

    Console.WriteLine();
    Console.WriteLine("3. Sizes on the wire at the largest round of each N, against the limits:");
    Console.WriteLine("           apply body  desired frame  observed frame  watch line   (limits: request body 30,000,000 B (Kestrel default); agent frame 16 MiB = 16,777,216 B)");
    foreach (var (n, _, rounds, _, _, _) in results)
    {
        var r = rounds[^1];
        Console.WriteLine($"   N={n,-6} {B(r.ApplyBodyBytes),10} {B(r.DesiredFrameBytes),14} {B(r.ObservedFrameBytes),15} {B(r.WatchLineBytes),11}");
    }
    Console.WriteLine("   what travelled in that round (protocol v3: snapshot then deltas, frames of at most " + AgentProtocol.MaxVmsPerFrame + " VMs; watch: first line whole, then changes):");
    Console.WriteLine("           desired frames  largest     observed frames  largest     largest watch change line");
    foreach (var (n, _, rounds, _, _, _) in results)
    {
        var r = rounds[^1];
        Console.WriteLine($"   N={n,-6} {r.AgentFramesIn,14} {B(r.LargestFrameIn),10} {r.AgentFramesOut,17} {B(r.LargestFrameOut),10} {B(r.LargestChangeBytes),14}");
    }
    Console.WriteLine("   (desired/observed frame and watch line above: the whole state as one message, which protocol v3 no longer sends)");

    Console.WriteLine();
    Console.WriteLine("4. Memory of this process (control plane + fake agent + client; VmRSS, each after a forced full GC except 'with'):");
    Console.WriteLine("           before N    with N VMs (max over rounds, server up)   after N (server stopped)");
    foreach (var (n, _, _, before, with, after) in results)
        Console.WriteLine($"   N={n,-6} {Mb(before),9} {Mb(with),20} {Mb(after),36}");

    Console.WriteLine();
    Console.WriteLine("For scale: Terraform users report plans of 20–25 minutes for ~2,900 resources (hashicorp/terraform#18981).");
    Console.WriteLine($"host after run: load {LoadAverage()}");
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("interrupted");
    exit = 130;
}
catch (Exception e)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine($"bench failed: {e}");
    exit = 1;
}
finally
{
    if (!keep) { try { Directory.Delete(root, recursive: true); } catch (IOException) { } }
    else Console.WriteLine($"kept {root}");
}
return exit;

// One round on a fresh control plane: plan + apply + rollout of a new fleet, then plan + apply + rollout of a change.
async Task<Round> RoundAsync(int n, string tag, bool measureExtras)
{
    var dir = Path.Combine(root, tag);
    Directory.CreateDirectory(dir);
    var fresh = FleetYaml(n, changed: false);
    var change = FleetYaml(n, changed: true);
    var round = new Round();
    var gcPause = GC.GetTotalPauseDuration();
    var gcCount = GC.CollectionCount(2);

    // Local parse + validate alone (no server).
    var t = Stopwatch.GetTimestamp();
    var parsedFresh = FleetParser.Parse(fresh, "fleet.yaml", dir);
    round.ParseFresh = Ms(t);
    t = Stopwatch.GetTimestamp();
    var parsedChange = FleetParser.Parse(change, "fleet.yaml", dir);
    round.ParseChange = Ms(t);
    if (!parsedFresh.IsValid || !parsedChange.IsValid)
        throw new InvalidOperationException("The generated fleet is invalid: " + string.Join("; ", parsedFresh.Errors.Concat(parsedChange.Errors).Take(3)));
    t = Stopwatch.GetTimestamp();
    var diff = FleetDiff.Compare(parsedFresh.Spec, parsedChange.Spec!);
    round.DiffChange = Ms(t);
    if (diff.Count(c => c.Kind == VmChangeKind.Replace) != n / 10) throw new InvalidOperationException("FleetDiff found the wrong number of replacements.");

    var apiToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    await using var server = await ControlPlaneServer.StartAsync(
        new ControlPlaneOptions(ControlPlaneOptions.DefaultListen, Path.Combine(dir, "state.db"), apiToken), null, ct);
    var agentToken = await server.IssueLocalAgentCredentialAsync("bench-agent", ct);
    await using var agent = await FakeAgent.ConnectAsync(server.AgentUrl, agentToken, "bench-agent", ct);
    await agent.FirstDesired.WaitAsync(TimeSpan.FromSeconds(30), ct);
    using var client = new HangarClient(server.Url, apiToken);
    await using var watch = await RolloutWatch.StartAsync(client, ct);

    var freshRequest = new ApplyRequest("fleet.yaml", fresh, dir, "bench: fresh fleet", StartStopped: true);
    var changeRequest = new ApplyRequest("fleet.yaml", change, dir, "bench: every 10th VM's memory", StartStopped: true);

    try
    {
        // (a) plan of a fresh fleet against an empty control plane
        t = Stopwatch.GetTimestamp();
        var plan1 = await client.PlanAsync(freshRequest, ct);
        round.PlanFresh = Ms(t);
        if (!plan1.HasChanges || plan1.Plan.Count != n || plan1.Plan.Any(p => p.Action != PlanAction.Create))
            throw new InvalidOperationException($"Plan of the fresh fleet: expected {n} creates, got {plan1.Plan.Count} entries.");

        // (b) apply, (c) until the rollout succeeded
        t = Stopwatch.GetTimestamp();
        var apply1 = await client.ApplyAsync(freshRequest, ct);
        round.ApplyFresh = Ms(t);
        var ok1 = await watch.WaitSucceededAsync(apply1.Generation, rolloutTimeout, ct);
        round.RolloutFresh = Stats2(t, ok1);
        round.AgentAnsweredFresh = Stats2(t, agent.LastAnsweredAt);

        // (d) plan of the changed fleet against the committed one
        var t2 = Stopwatch.GetTimestamp();
        var plan2 = await client.PlanAsync(changeRequest, ct);
        round.PlanChange = Ms(t2);
        if (plan2.Plan.Count(p => p.Action == PlanAction.Replace) != n / 10 || plan2.Plan.Count(p => p.Action == PlanAction.Unchanged) != n - n / 10)
            throw new InvalidOperationException("Plan of the change: wrong number of replacements.");

        // (e) apply of the change, (f) until its rollout succeeded
        t2 = Stopwatch.GetTimestamp();
        var apply2 = await client.ApplyAsync(changeRequest, ct);
        round.ApplyChange = Ms(t2);
        if (apply2.Generation != apply1.Generation + 1) throw new InvalidOperationException("The change did not commit a new generation.");
        var ok2 = await watch.WaitSucceededAsync(apply2.Generation, rolloutTimeout, ct);
        round.RolloutChange = Stats2(t2, ok2);
        round.AgentAnsweredChange = Stats2(t2, agent.LastAnsweredAt);
    }
    catch (Exception) when (agent.Failure is not null || agent.CloseStatus is not null)
    {
        throw new InvalidOperationException($"The fake agent's connection failed at N={n}: close status {agent.CloseStatus} " +
                                            $"({agent.CloseDescription}); {agent.Failure?.Message}", agent.Failure);
    }
    round.WatchLines = watch.Lines;
    round.AgentAnswerMs = agent.LastAnswerMs;
    round.RssWithFleet = SelfRss();
    round.GcPauseMs = (GC.GetTotalPauseDuration() - gcPause).TotalMilliseconds;
    round.Gen2 = GC.CollectionCount(2) - gcCount;

    if (measureExtras)
    {
        // In-process figures (no HTTP), taken after the measured calls so they do not disturb them.
        t = Stopwatch.GetTimestamp();
        server.Fleet.Plan(changeRequest);
        round.InProcPlanChange = Ms(t);
        t = Stopwatch.GetTimestamp();
        var status = server.Fleet.Status();
        round.StatusMs = Ms(t);
        t = Stopwatch.GetTimestamp();
        var desired = server.Fleet.DesiredFor(agent.Name);
        round.DesiredForMs = Ms(t);
        round.ApplyBodyBytes = JsonSerializer.SerializeToUtf8Bytes(changeRequest, HangarJson.Options).Length;
        round.DesiredFrameBytes = JsonSerializer.SerializeToUtf8Bytes<AgentMessage>(desired, HangarJson.Options).Length;
        var observed = new ObservedStateMessage(1, 1, status.Vms.Select(v => new ObservedVm(v.Name, VmPhase.Running, null, HealthState.Healthy, "tcg",
            100_000, [], null, 0, DateTimeOffset.UtcNow, 1, 1)).ToArray());
        round.ObservedFrameBytes = JsonSerializer.SerializeToUtf8Bytes<AgentMessage>(observed, HangarJson.Options).Length;
        round.WatchLineBytes = JsonSerializer.SerializeToUtf8Bytes(status, HangarJson.Options).Length + 1;
        round.LargestChangeBytes = watch.LargestChangeBytes;
        (round.AgentFramesIn, round.AgentFramesOut, round.LargestFrameIn, round.LargestFrameOut) = (agent.FramesIn, agent.FramesOut, agent.LargestIn, agent.LargestOut);

        // Last, as it adds an agent to this control plane: how long FleetService.ObservedReceived takes for a report
        // of N VMs when the agent's previous report listed the same N VMs (every report after the first one).
        var probe = server.Fleet.GetOrAddAgent("bench-probe");
        server.Fleet.ObservedReceived(probe, observed);
        t = Stopwatch.GetTimestamp();
        server.Fleet.ObservedReceived(probe, observed);
        round.ObservedReceivedMs = Ms(t);
    }
    return round;
}

static string FleetYaml(int n, bool changed)
{
    var text = new StringBuilder(n * 48 + 16);
    text.Append("vms:\n");
    for (var i = 0; i < n; i++)
    {
        text.Append("  vm-").Append(i.ToString("D5", CultureInfo.InvariantCulture)).Append(":\n");
        text.Append("    image: tiny\n");
        text.Append("    memory: ").Append(changed && i % 10 == 0 ? "192MiB" : "128MiB").Append('\n');
    }
    return text.ToString();
}

static double Ms(long from) => Stopwatch.GetElapsedTime(from).TotalMilliseconds;
static double Stats2(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

static double Median(IEnumerable<double> values)
{
    var sorted = values.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
    if (sorted.Length == 0) return double.NaN;
    var mid = sorted.Length / 2;
    return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
static double Stats(List<Round> rounds, Func<Round, double> f) => Median(rounds.Select(f));
static string F(double v, string format = "0.0") => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
static string M(List<Round> rounds, Func<Round, double> f, string format = "0.0") => F(Median(rounds.Select(f)), format);
static string All(List<Round> rounds, Func<Round, double> f) => "[" + string.Join(", ", rounds.Select(r => F(f(r), "0"))) + "]";
static string B(long bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture) + " B";
static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

static void ForceGc()
{
    GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
}

static long SelfRss()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
    return -1;
}

static string LoadAverage()
{
    try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
    catch (IOException) { return "?"; }
}

string? ArgValue(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>The figures of one round, in ms (sizes in bytes).</summary>
internal sealed class Round
{
    public double ParseFresh, ParseChange, DiffChange;
    public double PlanFresh, ApplyFresh, RolloutFresh, PlanChange, ApplyChange, RolloutChange;
    public double InProcPlanChange = double.NaN, StatusMs = double.NaN, DesiredForMs = double.NaN, AgentAnswerMs, WatchLines;
    public double ObservedReceivedMs = double.NaN;
    public double AgentAnsweredFresh, AgentAnsweredChange, GcPauseMs, Gen2;
    public long ApplyBodyBytes, DesiredFrameBytes, ObservedFrameBytes, WatchLineBytes, RssWithFleet;
    public long LargestChangeBytes, AgentFramesIn, AgentFramesOut, LargestFrameIn, LargestFrameOut;
}
