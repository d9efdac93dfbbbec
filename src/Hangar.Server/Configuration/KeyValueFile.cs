namespace Hangar.Server.Configuration;

/// <summary>
/// A file of <c>KEY=VALUE</c> lines: the server's config file (<c>listen = 0.0.0.0:8443</c>) and its environment file
/// (<c>HANGAR_STORE_PASSWORD=…</c>, as systemd's <c>EnvironmentFile=</c> reads it). Blank lines and lines starting
/// with <c>#</c> are skipped; spaces around the key and value are trimmed; a value may be in double or single quotes
/// (which are removed, nothing else is unescaped). A line without <c>=</c> is an error naming the file and line.
/// </summary>
public static class KeyValueFile
{
    /// <summary>One setting and where it was written.</summary>
    public sealed record Entry(string Key, string Value, string Path, int Line)
    {
        public string Where => $"{Path}:{Line}";
    }

    /// <exception cref="InvalidOperationException">The file cannot be read or a line is not KEY=VALUE.</exception>
    public static async Task<IReadOnlyList<Entry>> ReadAsync(string path, CancellationToken ct)
    {
        string[] lines;
        try
        {
            lines = await File.ReadAllLinesAsync(path, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{path}: cannot be read: {e.Message}", e);
        }
        var entries = new List<Entry>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith("export ", StringComparison.Ordinal)) line = line[7..].TrimStart();
            var equals = line.IndexOf('=');
            if (equals <= 0)
                throw new InvalidOperationException($"{path}:{i + 1}: '{lines[i].Trim()}' is not a setting; write it as key = value.");
            var key = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0]) value = value[1..^1];
            entries.Add(new Entry(key, value, path, i + 1));
        }
        return entries;
    }
}
