using Hangar.Protocol.Api;
using System.CommandLine;
using Hangar.Spec;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar validate FILE</c>: check a fleet file without applying it. Needs no server.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var file = FleetFileArgument.Create();
        var command = new Command("validate", "Check a fleet file and report every error with its file:line:col.") { file };
        CommandContext.Bind(command, (context, _) =>
        {
            var result = FleetParser.ParseFile(context.Get(file));
            if (!result.IsValid)
            {
                Output.SpecErrors.Write(context.Terminal, result.Errors.ToArray());
                return Task.FromResult(ExitCodes.Invalid);
            }
            if (context.Terminal.Json) context.Terminal.WriteJson(new ValidationOutcome(true, [], [.. result.Spec!.Vms.Select(v => v.Name)]));
            else context.Terminal.Line($"{context.Get(file)}: valid ({result.Spec!.Vms.Count} VMs).");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
