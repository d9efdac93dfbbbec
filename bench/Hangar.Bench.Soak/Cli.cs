using System.Diagnostics;

namespace Hangar.Bench.Soak;

/// <summary>Runs the real <c>hangar</c> command (a hangar.dll) with its own HANGAR_HOME, under TCG.</summary>
internal static class Cli
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string hangarDll, string home, CancellationToken ct, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = home,
        };
        psi.ArgumentList.Add(hangarDll);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        psi.Environment["HANGAR_HOME"] = home;
        psi.Environment["HANGAR_ACCEL"] = "tcg";
        using var process = Process.Start(psi)!;
        using var stdoutReader = process.StandardOutput;
        using var stderrReader = process.StandardError;
        process.StandardInput.Close();
        var stdout = stdoutReader.ReadToEndAsync(CancellationToken.None);
        var stderr = stderrReader.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}
