using Hangar.Cli.Daemon;

namespace Hangar.Cli.Tests.Daemon;

public sealed class DaemonExecutableTests
{
    [Theory]
    [InlineData(new[] { "server" }, 0)]
    [InlineData(new[] { "agent", "--control-plane-url", "ws://x/agent/ws" }, 0)]
    [InlineData(new[] { "--home", "/srv/h", "server", "--no-agent" }, 2)]
    [InlineData(new[] { "--home=/srv/h", "agent" }, 1)]
    [InlineData(new[] { "agent", "--server", "http://x:7600", "--join-token", "hjt_x" }, 0)]
    [InlineData(new[] { "agent", "--help" }, 0)]
    [InlineData(new[] { "agent", "--name", "list" }, 0)]    // a value, not the subcommand
    public void FindCommand_ServerOrAgentAsTheCommand_IsFound(string[] args, int index) =>
        Assert.Equal(index, DaemonExecutable.FindCommand(args));

    [Theory]
    [InlineData("")]
    [InlineData("vm list")]
    [InlineData("up server")]                 // a file named "server" is not the command
    [InlineData("--home server vm list")]     // nor is a home named "server"
    [InlineData("-o json server")]            // only --home may come first; the parser reports the rest
    [InlineData("--home")]
    [InlineData("agent list")]               // the client's: it asks the server about agents
    [InlineData("agent ls -o json")]
    [InlineData("--home /srv/h agent show web1")]
    [InlineData("agent cordon a")]
    [InlineData("agent uncordon a")]
    [InlineData("agent drain a --timeout 2m")]
    [InlineData("agent label a zone=b")]
    [InlineData("agent remove a --force")]
    [InlineData("agent rm a")]
    public void FindCommand_AnythingElse_IsNotTheDaemons(string commandLine) =>
        Assert.Equal(-1, DaemonExecutable.FindCommand(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

    [Fact]
    public void Locate_WithoutTheDaemonBesideTheClient_SaysWhatIsMissing()
    {
        // This test project references the client only: its output directory has hangar.dll and no hangard.
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "hangard.dll")));
        var e = Assert.Throws<InvalidOperationException>(() => DaemonExecutable.Locate());
        Assert.Contains(Path.Combine(AppContext.BaseDirectory, "hangard"), e.Message);
        Assert.Contains("not installed", e.Message);
    }
}
