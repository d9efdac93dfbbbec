using System.Text;
using Hangar.Spec.Parsing;
using YamlDotNet.Core;

namespace Hangar.Spec;

/// <summary>
/// Reads a fleet file (YAML, or JSON with the same structure), validates it and fills in every default. All errors
/// of a file are reported together, each with file, line, column, field path and what would be valid, up to the caps
/// of <see cref="SpecLimits"/> on what one file may cost; a cap reached is the last error.
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
    public static SpecResult Parse(string text, string fileName, string? baseDirectory, FleetSpec? current) =>
        Parse(text, fileName, baseDirectory, current, ImageFileCheck.MustExist);

    /// <inheritdoc cref="Parse(string, string, string?, FleetSpec?)"/>
    /// <param name="imageFiles">Whether a file image's path must exist here (see <see cref="ImageFileCheck"/>).</param>
    public static SpecResult Parse(string text, string fileName, string? baseDirectory, FleetSpec? current, ImageFileCheck imageFiles) =>
        Parse(text, fileName, baseDirectory, current, imageFiles, null);

    /// <inheritdoc cref="Parse(string, string, string?, FleetSpec?, ImageFileCheck)"/>
    /// <param name="secrets">Where the secrets that credentials name are found (their ciphertext is attached to the
    /// spec; one that is missing is an error at its field); null leaves them unresolved.</param>
    public static SpecResult Parse(string text, string fileName, string? baseDirectory, FleetSpec? current, ImageFileCheck imageFiles,
        SecretSource? secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        var errors = new ErrorCollector(fileName);
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > SpecLimits.MaxFileBytes) return TooLarge(fileName, bytes);
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
        catch (LimitReachedException e)
        {
            errors.Stop(e);
            return new SpecResult(null, errors.ToValueList());
        }
        var directory = Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory());
        FleetSpec? spec;
        try
        {
            spec = new FleetReader(errors, directory, current, imageFiles, secrets).Read(root);
        }
        catch (LimitReachedException e)
        {
            errors.Stop(e);
            spec = null;
        }
        return new SpecResult(errors.Count == 0 ? spec : null, errors.ToValueList());
    }

    /// <summary>
    /// Reads and parses a fleet file; relative image paths resolve against the file's directory, and the secrets its
    /// credentials name are read from secrets/NAME.age there. A file that cannot be read gives one error at 1:1.
    /// </summary>
    public static SpecResult ParseFile(string path) => ParseFile(path, out _);

    /// <inheritdoc cref="ParseFile(string)"/>
    /// <param name="path">The fleet file.</param>
    /// <param name="text">The text that was parsed (null when the file could not be read or was too large), so that
    /// a caller sends exactly what was checked and reads the file once.</param>
    public static SpecResult ParseFile(string path, out string? text)
    {
        ArgumentNullException.ThrowIfNull(path);
        text = null;
        try
        {
            if (Directory.Exists(path)) return Unreadable(path, "It is a directory, not a fleet file");
            if (ReadBounded(path, out var size) is not { } read) return TooLarge(path, size);
            text = read;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Unreadable(path, "The fleet file does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Unreadable(path, $"Cannot read the fleet file: {e.Message}");
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Parse(text, path, directory, null, ImageFileCheck.MustExist, SecretSource.Beside(directory));
    }

    /// <summary>
    /// The file's text, or null when it holds more than <see cref="SpecLimits.MaxFileBytes"/> (then
    /// <paramref name="size"/> is its size when the file has one). Reads no further than the limit, so neither a huge
    /// file nor an endless one (a pipe, <c>/dev/zero</c>) costs more memory than that.
    /// </summary>
    private static string? ReadBounded(string path, out long? size)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        size = stream.CanSeek && stream.Length > SpecLimits.MaxFileBytes ? stream.Length : null;
        if (size is not null) return null;
        // Grown as the file is read, not allocated at the limit: most fleet files are kilobytes, the limit is 16 MiB.
        using var bytes = new MemoryStream(stream.CanSeek ? (int)stream.Length : 64 * 1024);
        var chunk = new byte[64 * 1024];
        while (bytes.Length <= SpecLimits.MaxFileBytes && stream.Read(chunk, 0, (int)Math.Min(chunk.Length, SpecLimits.MaxFileBytes + 1 - bytes.Length)) is var read and > 0)
            bytes.Write(chunk, 0, read);
        if (bytes.Length > SpecLimits.MaxFileBytes) return null;
        bytes.Position = 0;
        // As File.ReadAllText: UTF-8 unless a byte-order mark says otherwise.
        using var reader = new StreamReader(bytes, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static SpecResult TooLarge(string fileName, long? size) =>
        Unreadable(fileName, (size is { } bytes ? $"The file has {bytes:N0} bytes" : "The file is larger than the limit") +
                             $"; a fleet file may have at most {SpecLimits.MaxFileBytes:N0} bytes " +
                             $"({new ByteSize(SpecLimits.MaxFileBytes)})");

    private static SpecResult Unreadable(string path, string message) =>
        new(null, new ValueList<SpecError>([new SpecError(path, 1, 1, "", message)]));
}
