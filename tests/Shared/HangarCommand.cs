using Hangar.Processes;

namespace Hangar.Testing;

/// <summary>
/// Runs the real <c>hangar</c> client as a user would, with its own <c>HANGAR_HOME</c>, under TCG. The client is
/// <c>$HANGAR_TEST_CLI</c> when set (scripts/test.sh sets it to the ahead-of-time build in .hangar/bin, the one users
/// run), else the JIT build beside the tests (<c>dotnet hangar.dll</c>, as under a bare <c>dotnet test</c>). Either
/// finds its daemon, <c>hangard</c>, beside itself.
/// </summary>
public static class HangarCommand
{
    /// <summary>What runs: a native <c>hangar</c>, or <c>dotnet</c> with hangar.dll first.</summary>
    public static (string FileName, IReadOnlyList<string> Prefix) Client =>
        Environment.GetEnvironmentVariable("HANGAR_TEST_CLI") is { Length: > 0 } native
            ? (native, [])
            : ("dotnet", [Path.Combine(AppContext.BaseDirectory, "hangar.dll")]);

    /// <summary>
    /// Runs <c>hangar ARGS</c> to completion; cancelling kills it (and what it started in its session). The user's
    /// configuration directory is one in the home (<c>XDG_CONFIG_HOME</c>): an apply that starts a recipients file makes
    /// the user an age identity when it finds none, and a test must not leave one in the machine's real HOME.
    /// </summary>
    public static Task<ProcessResult> RunAsync(string home, IReadOnlyList<string> args, CancellationToken ct)
    {
        var (fileName, prefix) = Client;
        return ProcessRunner.Instance.RunAsync(fileName, [.. prefix, .. args], home,
            new Dictionary<string, string> { ["HANGAR_HOME"] = home, ["HANGAR_ACCEL"] = "tcg", ["XDG_CONFIG_HOME"] = Path.Combine(home, "config") }, ct);
    }
}
