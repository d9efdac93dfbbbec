using System.CommandLine;
using Hangar.Spec;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar schema</c>: the fleet file's JSON Schema, for editors (yaml-language-server, VS Code).</summary>
public static class SchemaCommand
{
    public static Command Create()
    {
        var command = new Command("schema", "Print the JSON Schema of fleet files.");
        CommandContext.Bind(command, (_, _) =>
        {
            Console.Out.WriteLine(FleetSchema.ToJson());
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
