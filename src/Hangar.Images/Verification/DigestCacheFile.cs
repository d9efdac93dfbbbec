using System.Text.Json;

namespace Hangar.Images.Verification;

/// <summary>
/// disk-image-digests.json: sha256 of files already hashed, keyed by full path and valid while size and mtime match.
/// Only a cache: unreadable means empty, and concurrent writers may lose each other's entries (they are recomputed).
/// </summary>
internal sealed record DigestCacheFile(IReadOnlyDictionary<string, DigestCacheEntry> Files)
{
    public const string FileName = "disk-image-digests.json";

    public static DigestCacheFile Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, ImagesJsonContext.Default.DigestCacheFile) ?? Empty;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return Empty;
        }
    }

    public static DigestCacheFile Empty { get; } = new(new Dictionary<string, DigestCacheEntry>());

    public DigestCacheFile With(string fullPath, DigestCacheEntry entry) =>
        new(new Dictionary<string, DigestCacheEntry>(Files, StringComparer.Ordinal) { [fullPath] = entry });

    public void Write(string path) =>
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, ImagesJsonContext.Readable.DigestCacheFile));
}

/// <param name="LastWriteTimeUtcTicks">mtime in 100 ns ticks, as .NET reports it.</param>
internal sealed record DigestCacheEntry(long Size, long LastWriteTimeUtcTicks, string Sha256);
