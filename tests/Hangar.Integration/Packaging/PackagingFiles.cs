using System.Diagnostics;

namespace Hangar.Integration.Packaging;

/// <summary>The repository's packaging files (flake.nix, packaging/) and the tools that check them.</summary>
internal static class PackagingFiles
{
    public static readonly string Root = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>Every .nix file of the repository, outside build output.</summary>
    public static IReadOnlyList<string> NixFiles()
    {
        string[] skipped = ["bin", "obj", ".git", ".hangar", "node_modules", "TestResults"];
        var files = new List<string>();
        var pending = new Stack<string>([Root]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            files.AddRange(Directory.EnumerateFiles(dir, "*.nix"));
            foreach (var sub in Directory.EnumerateDirectories(dir))
                if (!skipped.Contains(System.IO.Path.GetFileName(sub))) pending.Push(sub);
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>
    /// Runs a program the packaging checks need (installed by scripts/install-deps.sh; missing, the test fails and
    /// says which package brings it, so CI can never pass by skipping).
    /// </summary>
    public static Result Run(string program, string package, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var path = Which(program) ?? throw new InvalidOperationException(
            $"{program} is not installed; it comes with Debian's {package} (scripts/install-deps.sh installs it).");
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not exit within 2 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>What a program printed and how it exited.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    private static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Hangar.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Hangar.slnx not found above the test binaries.");
    }
}
