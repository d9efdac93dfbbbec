using System.CommandLine;
using Hangar.Server;

namespace Hangar.Integration.Packaging;

/// <summary>hangard's commands, as src/Hangar.Server/Program.cs puts them together: what the packaging's command lines must parse with.</summary>
internal static class HangardCommandTree
{
    public static RootCommand Create() => new("hangard") { ServerCommand.Create(), AgentCommand.Create(), DaemonGlobals.Home };

    /// <summary>The flags (names and aliases) of <c>hangard SERVICE</c>, with the root's recursive ones (<c>--home</c>).</summary>
    public static HashSet<string> FlagNames(string service)
    {
        var root = Create();
        var command = root.Subcommands.Single(c => c.Name == service);
        return command.Options.Concat(root.Options.Where(o => o.Recursive))
            .SelectMany(o => o.Aliases.Prepend(o.Name)).ToHashSet(StringComparer.Ordinal);
    }
}
