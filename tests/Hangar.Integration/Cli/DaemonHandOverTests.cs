using System.Diagnostics;
using Hangar.Integration.Support;
using Hangar.Testing;

namespace Hangar.Integration.Cli;

/// <summary>
/// <c>hangar server</c> and <c>hangar agent</c> become the daemon, <c>hangard</c>: the same process (so a service
/// manager supervises the server it started), the daemon's options and help, its exit code.
/// </summary>
public sealed class DaemonHandOverTests
{
    [Fact]
    public async Task Server_RunsAsTheSameProcess_AndStopsOnSigterm()
    {
        await using var home = new HangarHome();
        var (fileName, prefix) = HangarCommand.Client;
        var psi = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in prefix) psi.ArgumentList.Add(arg);
        foreach (var arg in new[] { "--home", home.Path, "server", "--no-agent", "--listen", "http://127.0.0.1:0" }) psi.ArgumentList.Add(arg);
        psi.Environment["HANGAR_HOME"] = "/nonexistent-the-flag-wins";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            // The server writes daemon.json once it listens, with its own pid: the pid this test started.
            var pid = await Eventually.WaitAsync(() => Task.FromResult(home.ServerPid), p => p is not null, TimeSpan.FromSeconds(60), "daemon.json");
            Assert.Equal(process.Id, pid);
            Assert.Contains("hangard", File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' '));
            var list = await home.OkAsync("vm", "list");
            Assert.Contains("generation 0", list.Stdout); // the client reached this server
        }
        finally
        {
            if (!process.HasExited) Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{await stdout}\n{await stderr}");
        Assert.False(File.Exists(Path.Combine(home.Path, "daemon.json")), "a stopped server removes daemon.json");
    }

    [Fact]
    public async Task ServerHelp_IsTheDaemons()
    {
        await using var home = new HangarHome();
        var help = await home.OkAsync("server", "--help");
        Assert.Contains("--no-agent", help.Stdout);
        Assert.Contains("--listen", help.Stdout);
    }

    [Fact]
    public async Task Agent_NotJoinedAndNoJoinToken_IsOneLineAndExit1()
    {
        await using var home = new HangarHome();
        var agent = await home.RunAsync("agent", "--control-plane-url", "ws://127.0.0.1:9/agent/ws");
        Assert.Equal(1, agent.ExitCode);
        Assert.StartsWith("error: ", agent.Stderr);
        Assert.Contains("has not joined a control plane yet: give --server URL and --join-token TOKEN", agent.Stderr);
        Assert.DoesNotContain("   at ", agent.Stderr); // a message, not a stack trace
    }
}
