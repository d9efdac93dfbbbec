namespace Hangar.Spec.Libvirt;

/// <summary>A file that is not a libvirt domain Hangar can read: bad XML, another root, a value that is not a number.
/// The message starts with <c>FILE:LINE:COL:</c>.</summary>
public sealed class LibvirtImportException : Exception
{
    public LibvirtImportException(string file, int line, int column, string message, Exception? inner = null)
        : base($"{file}:{line}:{column}: {message}", inner)
    {
        File = file;
        Line = line;
        Column = column;
    }

    public string File { get; }
    public int Line { get; }
    public int Column { get; }
}
