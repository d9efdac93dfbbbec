using System.Text.Json;
using Hangar.Protocol.Api;
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

    public void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, ApiJson.Info<T>(ApiJson.Indented)));

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

    /// <summary>
    /// A table. On a terminal, Spectre's table in <paramref name="border"/>, fitted to its width. Redirected, a header
    /// line and one line per row with the cells separated by tabs, never wrapped or cut, so that <c>grep</c>,
    /// <c>cut -f</c> and <c>awk -F'\t'</c> see one row per line (a tab or line break inside a cell becomes a space).
    /// </summary>
    public void WriteTable(TableBorder border, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<TableCell>> rows)
    {
        if (!Interactive)
        {
            Console.Out.WriteLine(string.Join('\t', columns.Select(Flat)));
            foreach (var row in rows) Console.Out.WriteLine(string.Join('\t', row.Select(c => Flat(c.Text))));
            return;
        }
        var table = new Table().Border(border).AddColumns(columns.Select(Markup.Escape).ToArray());
        foreach (var row in rows)
            table.AddRow(row.Select(c => c.Colour is { } colour ? $"[{colour}]{Markup.Escape(c.Text)}[/]" : Markup.Escape(c.Text)).ToArray());
        Ansi.Write(table);
    }

    private static string Flat(string text) => text.ReplaceLineEndings(" ").Replace('\t', ' ');

    public static void Error(string text) => Console.Error.WriteLine($"error: {text}");
}
