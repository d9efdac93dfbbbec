using System.Globalization;

namespace Hangar.Bench.Soak;

/// <summary>The soak's command line; one place per default.</summary>
internal sealed record SoakOptions(string Root, int Vms, int Cycles, double Minutes, int Every, int MemoryMiB)
{
    public static SoakOptions Parse(string[] args)
    {
        string? root = null;
        int vms = 4, cycles = 120, memory = 96;
        int? every = null;
        double minutes = 10;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--root": root = Next(); break;
                case "--vms": vms = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--cycles": cycles = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--minutes": minutes = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--every": every = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--memory": memory = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--keep": break; // run.sh's
                default: throw new ArgumentException($"Unknown option {args[i]}; valid: --root --vms --cycles --minutes --every --memory --keep.");
            }
        }
        if (root is null) throw new ArgumentException("--root DIR is required (bench/run.sh --soak passes a temp dir).");
        if (vms < 1 || cycles < 1 || minutes <= 0) throw new ArgumentException("--vms, --cycles and --minutes must be positive.");
        return new SoakOptions(Path.GetFullPath(root), vms, cycles, minutes, every ?? 5, memory);
    }
}
