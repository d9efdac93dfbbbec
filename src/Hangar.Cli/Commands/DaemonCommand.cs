using System.CommandLine;
using Hangar.Cli.Daemon;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar server</c> and <c>hangar agent</c> as they appear in <c>hangar --help</c>. Program.cs hands such command
/// lines to the daemon before parsing; this action is the same hand-over for any command line that reaches the parser.
/// </summary>
public static class DaemonCommand
{
    public static Command Create(string name, string description, string[] args)
    {
        var command = new Command(name, description) { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(_ => DaemonExecutable.Exec(args));
        return command;
    }
}
