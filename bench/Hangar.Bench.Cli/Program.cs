using System.Diagnostics;
using System.Globalization;
using Hangar.Processes;

// bench/run.sh --cli: the wall time of client commands, from exec to exit, as a shell sees it. The `hangar` measured
// is the ahead-of-time build users run (scripts/build.sh); the JIT build (`dotnet hangar.dll`) and libvirt's
// `virsh -c test:///default list` (no daemon: the test driver answers in-process) run in the same rounds.
var options = CliBenchOptions.Parse(args);
var home = Path.Combine(options.Root, "home");
Directory.CreateDirectory(home);
var fleet = Path.Combine(options.Root, "fleet.yaml");
// VMs that are declared but not started: the listing has rows to fetch and print, and no guest competes for the CPU.
await File.WriteAllTextAsync(fleet, "vms:\n" + string.Concat(Enumerable.Range(1, options.Vms).Select(i =>
    $"  vm{i:00}:\n    image: tiny\n    memory: 96MiB\n    autostart: false\n    forwards: [\"{18000 + i}:80\"]\n")));
var env = new Dictionary<string, string> { ["HANGAR_HOME"] = home, ["HANGAR_ACCEL"] = "tcg" };
var jitDll = Path.Combine(AppContext.BaseDirectory, "hangar.dll");

Console.WriteLine($"Hangar CLI bench — {DateTimeOffset.Now:yyyy-MM-dd HH:mm zzz}");
Console.WriteLine($"host: {Environment.ProcessorCount} cores, load {Load()}; client: {options.Hangar}; {options.Rounds} rounds; {options.Vms} VMs declared (autostart: false)");
var up = await Run(options.Hangar, ["up", fleet]);
if (up.ExitCode != 0) { Console.WriteLine($"hangar up failed:\n{up.StandardOutput}{up.StandardError}"); return 1; }

var commands = new (string Name, string File, string[] Args)[]
{
    ("hangar vm list", options.Hangar, ["vm", "list"]),
    ("hangar status -o json", options.Hangar, ["status", "-o", "json"]),
    ("hangar validate FILE", options.Hangar, ["validate", fleet]),
    ("hangar vm list (JIT build)", "dotnet", [jitDll, "vm", "list"]),
    ("virsh -c test:///default list", "virsh", ["-c", "test:///default", "list"]),
};
var samples = commands.ToDictionary(c => c.Name, _ => new List<double>());
try
{
    // One warm-up run each (page cache, the server's first request), then rounds; the order rotates every round so
    // that drift in the machine's load hits every command alike.
    foreach (var c in commands) await Check(c, await Run(c.File, c.Args));
    for (var round = 0; round < options.Rounds; round++)
    {
        for (var k = 0; k < commands.Length; k++)
        {
            var c = commands[(round + k) % commands.Length];
            var watch = Stopwatch.StartNew();
            var result = await Run(c.File, c.Args);
            samples[c.Name].Add(watch.Elapsed.TotalMilliseconds);
            await Check(c, result);
        }
    }
}
finally
{
    await Run(options.Hangar, ["down", "--purge"]);
}

var virsh = Stats.Median(samples["virsh -c test:///default list"]);
Console.WriteLine();
Console.WriteLine("Wall time from exec to exit (ms):");
Console.WriteLine($"   {"command",-32} {"median",8} {"p90",8} {"min",8} {"max",8}  {"÷ virsh",8}");
foreach (var (name, values) in samples)
{
    var median = Stats.Median(values);
    Console.WriteLine($"   {name,-32} {median,8:0.0} {Stats.Percentile(values, 0.9),8:0.0} {values.Min(),8:0.0} {values.Max(),8:0.0}  {median / virsh,7:0.00}×");
}
Console.WriteLine("   target: hangar vm list ≤ 100 ms (issue #7); virsh list measured 23 ms on this kind of machine (MEASURED-FACTS)");
Console.WriteLine($"host after run: load {Load()}");
return 0;

Task<ProcessResult> Run(string file, IReadOnlyList<string> arguments) =>
    ProcessRunner.Instance.RunAsync(file, arguments, options.Root, env, CancellationToken.None);

static Task Check((string Name, string File, string[] Args) c, ProcessResult result) =>
    result.ExitCode == 0 ? Task.CompletedTask
        : throw new InvalidOperationException($"{c.Name} exited {result.ExitCode}:\n{result.StandardOutput}{result.StandardError}");

static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

internal sealed record CliBenchOptions(string Root, string Hangar, int Rounds, int Vms)
{
    public static CliBenchOptions Parse(string[] args)
    {
        string? root = null, hangar = null;
        int rounds = 30, vms = 10;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--root": root = Next(); break;
                case "--hangar": hangar = Path.GetFullPath(Next()); break;
                case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--vms": vms = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--keep": break; // run.sh's
                default: throw new ArgumentException($"Unknown option {args[i]}; valid: --root --hangar --rounds --vms --keep.");
            }
        }
        if (root is null || hangar is null) throw new ArgumentException("--root DIR and --hangar PATH are required (bench/run.sh --cli passes them).");
        if (rounds < 1 || vms < 1 || vms > 99) throw new ArgumentException("--rounds must be positive and --vms 1..99.");
        return new CliBenchOptions(Path.GetFullPath(root), hangar, rounds, vms);
    }
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values) => Percentile(values, 0.5);

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
