using System.Diagnostics;
using System.Text;

namespace Hangar.Integration.Support;

/// <summary>Runs the real <c>hangar</c> command (the built hangar.dll) with its own HANGAR_HOME, as a user would.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

public static class HangarCli
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "hangar.dll");

    public static async Task<CliResult> RunAsync(string home, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = home,
        };
        psi.ArgumentList.Add(Dll);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        psi.Environment["HANGAR_HOME"] = home;
        psi.Environment["HANGAR_ACCEL"] = "tcg";
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"hangar {string.Join(' ', args)} did not finish within {timeout}.\n{await stdout}\n{await stderr}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
