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
        System.Environment.GetEnvironmentVariable("HANGAR_TEST_CLI") is { Length: > 0 } native
            ? (native, [])
            : ("dotnet", [Path.Combine(AppContext.BaseDirectory, "hangar.dll")]);

    /// <summary>
    /// Runs <c>hangar ARGS</c> to completion; cancelling kills it (and what it started in its session). The user's
    /// configuration directory is one in the home (<c>XDG_CONFIG_HOME</c>): an apply that starts a recipients file makes
    /// the user an age identity when it finds none, and a test must not leave one in the machine's real HOME.
    /// </summary>
    /// <param name="networkNamespace">A network namespace (<c>ip netns</c>) to run the client in, and with it the server
    /// that <c>up</c> starts; null for this process's.</param>
    public static Task<ProcessResult> RunAsync(string home, IReadOnlyList<string> args, CancellationToken ct, string? networkNamespace = null)
    {
        var (fileName, prefix) = Client;
        IReadOnlyList<string> command = [.. prefix, .. args];
        if (networkNamespace is not null)
        {
            command = ["netns", "exec", networkNamespace, fileName, .. command];
            fileName = "ip";
        }
        return ProcessRunner.Instance.RunAsync(fileName, command, home, Environment(home), ct);
    }

    /// <summary>The environment the client runs with.</summary>
    public static Dictionary<string, string> Environment(string home) =>
        new() { ["HANGAR_HOME"] = home, ["HANGAR_ACCEL"] = "tcg", ["XDG_CONFIG_HOME"] = Path.Combine(home, "config") };
}
