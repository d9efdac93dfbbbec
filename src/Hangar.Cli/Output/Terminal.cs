using System.Text.Json;
using Hangar.Protocol;
using Spectre.Console;

namespace Hangar.Cli.Output;

/// <summary>
/// Where a command's output goes and in which shape: Spectre tables and live progress on a terminal, plain lines when
/// stdout is redirected, JSON with <c>--output json</c>. Errors always go to stderr.
/// </summary>
public sealed class Terminal(OutputFormat format)
{
    public OutputFormat Format { get; } = format;
    public bool Json => Format == OutputFormat.Json;
    public bool Interactive { get; } = format == OutputFormat.Text && !Console.IsOutputRedirected;

    public IAnsiConsole Ansi { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = !Console.IsOutputRedirected ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = !Console.IsOutputRedirected ? InteractionSupport.Detect : InteractionSupport.No,
    });

    public void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, HangarJson.Indented));

    /// <summary>A line for humans; suppressed with <c>--output json</c> so stdout stays one JSON document.</summary>
    public void Line(string text)
    {
        if (!Json) Console.Out.WriteLine(text);
    }

    /// <summary>Progress for humans, on stderr when the output is JSON so scripts still see it in logs.</summary>
    public void Progress(string text)
    {
        if (Json) Console.Error.WriteLine(text);
        else Console.Out.WriteLine(text);
    }

    public static void Error(string text) => Console.Error.WriteLine($"error: {text}");
}
