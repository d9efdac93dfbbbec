using Hangar.Testing;

namespace Hangar.Integration.Support;

/// <summary>What a run of the real <c>hangar</c> command printed and how it exited.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the real <c>hangar</c> client (<see cref="HangarCommand"/>) with its own HANGAR_HOME, as a user would.</summary>
public static class HangarCli
{
    public static Task<CliResult> RunAsync(string home, TimeSpan timeout, params string[] args) => RunInAsync(null, home, timeout, args);

    /// <summary>Runs the client in network namespace <paramref name="networkNamespace"/> (null: this process's).</summary>
    public static async Task<CliResult> RunInAsync(string? networkNamespace, string home, TimeSpan timeout, params string[] args)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var result = await HangarCommand.RunAsync(home, args, cts.Token, networkNamespace);
            return new CliResult(result.ExitCode, result.StandardOutput, result.StandardError);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"hangar {string.Join(' ', args)} did not finish within {timeout} (killed).");
        }
    }
}
