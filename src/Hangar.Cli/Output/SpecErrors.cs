using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.Cli.Output;

/// <summary>Prints fleet-file errors, one per line as <c>file:line:col: path: message</c> (or as JSON).</summary>
public static class SpecErrors
{
    public static void Write(Terminal terminal, IReadOnlyList<SpecError> errors)
    {
        if (terminal.Json)
        {
            terminal.WriteJson(new ValidationOutcome(false, errors));
            return;
        }
        foreach (var error in errors) Console.Error.WriteLine(error.ToString());
        Console.Error.WriteLine($"{errors.Count} error(s); nothing was applied.");
    }
}
