using System.Globalization;

namespace Hangar.Bench.Plan.Scale;

/// <summary>Prints the scale bench's figures, engines side by side, with ratios against the goals, the anchor and
/// the smaller size and SQLite of the same run.</summary>
internal static class ScaleReport
{
    public static void Print(List<ScaleFigures> results, double goalRate, double goalP99, long goalMemory, double nomad)
    {
        var columns = results.Select(r => $"{r.Engine} {r.Vms / 1000}k").ToArray();
        Console.WriteLine("1. End to end (ms from the call; HangarClient → loopback HTTP → control plane process → agents over WebSocket)");
        Header(columns);
        Row("join agents (token → credential)", results, r => r.JoinMs);
        Row("connect agents (hello → snapshot)", results, r => r.ConnectMs);
        Row("(a) plan fresh", results, r => r.Plan);
        Row("(b) apply fresh = commit", results, r => r.Apply);
        Row("(c) delivered to every agent", results, r => r.Deliver);
        Row("(d) confirmed (rollout succeeded)", results, r => r.Confirm);
        Row("placements/s end to end = N/(d)", results, r => r.Vms / (r.Confirm / 1000), "N0");
        Row("(e) plan change (N/10 replaced)", results, r => r.PlanChange);
        Row("(f) apply change", results, r => r.ApplyChange);
        Row("(g) change delivered", results, r => r.DeliverChange);
        Row("(h) change confirmed", results, r => r.ConfirmChange);
        Row("replacements/s = (N/10)/(h)", results, r => r.Vms / 10 / (r.ConfirmChange / 1000), "N0");
        Row("(i) every agent reconnects → snapshots", results, r => r.Reconnect);
        Row("server CPU s, fresh (a)–(d)", results, r => r.ServerCpuFresh, "0.0");
        Row("server CPU s, change (e)–(h)", results, r => r.ServerCpuChange, "0.0");
        Row("server CPU s, reconnects (i)", results, r => r.ServerCpuReconnect, "0.0");
        Row("watch lines during (i)", results, r => r.WatchLinesReconnect);
        foreach (var r in results.Where(r => r.ReconnectError is not null))
            Console.WriteLine($"   (i) failed on {r.Engine} at N={r.Vms:N0} {r.ReconnectError}");
        Console.WriteLine();
        Console.WriteLine("2. API calls while the change rolls out (and ≥ 10 s): p50 / p99 / max ms (samples)");
        Header(columns);
        Text("vm stop|start (mutating)", results, r => P(r.Mutating));
        Text("GET /vms/{name} (read one)", results, r => P(r.ReadOne));
        Text("vm list = GET /vms, 1/s (read all)", results, r => P(r.ReadAll));
        Text("errors", results, r => r.ApiErrors == 0 ? "0" : $"{r.ApiErrors}: {r.ApiError}");
        Console.WriteLine();
        Console.WriteLine("3. Control-plane process memory (VmRSS, MB; peak = VmHWM)");
        Header(columns);
        Row("agents connected, no VMs", results, r => r.RssAgents / 1048576.0);
        Row("fleet confirmed", results, r => r.RssFleet / 1048576.0);
        Row("after the change and reconnects", results, r => r.RssAfterChange / 1048576.0);
        Row("peak", results, r => r.RssPeak / 1048576.0);
        Row("largest watch change line, KB", results, r => r.LargestWatchChange / 1024.0);
        Console.WriteLine();
        Console.WriteLine("4. Ratios");
        Header(columns);
        Row("placements/s ÷ goal 10,000/s", results, r => r.Vms / (r.Confirm / 1000) / goalRate, "0.00");
        Row("placements/s ÷ Nomad C1M 3,750/s", results, r => r.Vms / (r.Confirm / 1000) / nomad, "0.00");
        Row("p99 mutating ÷ goal 1 s", results, r => Percentile(r.Mutating, 0.99) / goalP99, "0.00");
        Row("peak RSS ÷ 1 GiB", results, r => (double)r.RssPeak / goalMemory, "0.00");
        Row("(d) ÷ SQLite's (d), same N", results, r => r.Confirm / Same(results, r).Confirm, "0.00");
        Row("(h) ÷ SQLite's (h), same N", results, r => r.ConfirmChange / Same(results, r).ConfirmChange, "0.00");
        Row("(d) per VM ÷ smallest N's, same engine", results, r => r.Confirm / r.Vms / (Smallest(results, r).Confirm / Smallest(results, r).Vms), "0.00");
        Row("peak RSS per VM ÷ smallest N's", results, r => (double)(r.RssPeak - r.RssAgents) / r.Vms /
            ((double)(Smallest(results, r).RssPeak - Smallest(results, r).RssAgents) / Smallest(results, r).Vms), "0.00");
        Console.WriteLine("   anchor: Nomad's C1M (2016), 1,000,000 containers on 5,000 hosts by 5 servers in < 5 min ≈ 3,750 placements/s;");
        Console.WriteLine("   goals (issue 8): ≥ 10,000 placements/s end to end, p99 mutating API ≤ 1 s (Kubernetes' SLO), memory well under 1 GiB.");
    }

    private static ScaleFigures Same(List<ScaleFigures> all, ScaleFigures r) => all.FirstOrDefault(x => x.Vms == r.Vms && x.Engine == "sqlite") ?? r;
    private static ScaleFigures Smallest(List<ScaleFigures> all, ScaleFigures r) => all.Where(x => x.Engine == r.Engine).MinBy(x => x.Vms)!;

    private static void Header(string[] columns) =>
        Console.WriteLine("   " + "".PadRight(40) + string.Concat(columns.Select(c => c.PadLeft(24))));

    private static void Row(string name, List<ScaleFigures> results, Func<ScaleFigures, double> f, string format = "0") =>
        Text(name, results, r => F(f(r), format));

    private static void Text(string name, List<ScaleFigures> results, Func<ScaleFigures, string> f) =>
        Console.WriteLine("   " + name.PadRight(40) + string.Concat(results.Select(r => f(r).PadLeft(24))));

    private static string P(List<double> samples) => samples.Count == 0 ? "n/a"
        : $"{F(Percentile(samples, 0.5), "0")} / {F(Percentile(samples, 0.99), "0")} / {F(samples.Max(), "0")} ({samples.Count})";

    public static double Percentile(List<double> samples, double p)
    {
        if (samples.Count == 0) return double.NaN;
        var sorted = samples.OrderBy(x => x).ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static string F(double v, string format) => double.IsNaN(v) || double.IsInfinity(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
}
