using System.CommandLine;
using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.Cli.Commands;

/// <summary>The FILE argument of up/apply/validate, and reading it into an apply request after a local check.</summary>
public static class FleetFileArgument
{
    public static Argument<string> Create() => new("file") { Description = "The fleet file (YAML or JSON)." };

    /// <summary>Reads and validates the file locally (fast feedback); null with the errors printed when it is invalid.</summary>
    public static ApplyRequest? Read(CommandContext context, string file, string? message, bool startStopped)
    {
        var result = FleetParser.ParseFile(file);
        if (!result.IsValid)
        {
            Output.SpecErrors.Write(context.Terminal, result.Errors.ToArray());
            return null;
        }
        var full = Path.GetFullPath(file);
        return new ApplyRequest(file, File.ReadAllText(full), Path.GetDirectoryName(full), message, startStopped);
    }
}
