using Hangar.Spec.Parsing;
using YamlDotNet.Core;

namespace Hangar.Spec;

/// <summary>
/// Reads a fleet file (YAML, or JSON with the same structure), validates it and fills in every default. All errors
/// of a file are reported together, each with file, line, column, field path and what would be valid.
/// </summary>
public static class FleetParser
{
    /// <summary>Parses fleet-file text.</summary>
    /// <param name="text">The file's content.</param>
    /// <param name="fileName">Used only in error messages.</param>
    /// <param name="baseDirectory">Directory that relative image paths resolve against; null for the current directory.</param>
    public static SpecResult Parse(string text, string fileName, string? baseDirectory) => Parse(text, fileName, baseDirectory, null);

    /// <summary>
    /// Parses fleet-file text that would replace <paramref name="current"/>: besides every check of the file itself,
    /// changes that cannot be made are errors at their field (a disk that would shrink on the same image).
    /// </summary>
    /// <param name="current">The current generation's spec; null when nothing was applied yet.</param>
    public static SpecResult Parse(string text, string fileName, string? baseDirectory, FleetSpec? current)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        var errors = new ErrorCollector(fileName);
        YamlNode? root;
        try
        {
            root = YamlTreeLoader.Load(text);
        }
        catch (YamlException e)
        {
            // The file cannot be read past a syntax error, so this is its only error.
            errors.Add(SourcePosition.From(e.Start), "", $"Invalid YAML: {e.Message}");
            return new SpecResult(null, errors.ToValueList());
        }
        var directory = Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory());
        var spec = new FleetReader(errors, directory, current).Read(root);
        return new SpecResult(errors.Count == 0 ? spec : null, errors.ToValueList());
    }

    /// <summary>
    /// Reads and parses a fleet file; relative image paths resolve against the file's directory. A file that cannot
    /// be read gives one error at 1:1.
    /// </summary>
    public static SpecResult ParseFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            if (Directory.Exists(path)) return Unreadable(path, "It is a directory, not a fleet file");
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Unreadable(path, "The fleet file does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Unreadable(path, $"Cannot read the fleet file: {e.Message}");
        }
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    private static SpecResult Unreadable(string path, string message) =>
        new(null, new ValueList<SpecError>([new SpecError(path, 1, 1, "", message)]));
}
