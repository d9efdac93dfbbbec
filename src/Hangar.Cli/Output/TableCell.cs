namespace Hangar.Cli.Output;

/// <summary>One cell of a <see cref="Terminal.WriteTable"/> table: plain text, and a colour used only on a terminal.</summary>
public readonly record struct TableCell(string Text, string? Colour = null)
{
    public static implicit operator TableCell(string text) => new(text);
}
