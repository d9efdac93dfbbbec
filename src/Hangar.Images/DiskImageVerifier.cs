using Hangar.Images.Verification;

namespace Hangar.Images;

/// <summary>
/// Checks that a user-supplied disk image (given by path in the fleet file) has the sha256 the fleet file pins.
/// </summary>
public static class DiskImageVerifier
{
    private const string Sha256Prefix = "sha256:";

    /// <summary>
    /// Returns the file's sha256 (lowercase hex) when it equals <paramref name="expectedSha256"/> (hex, any case, an
    /// optional "sha256:" prefix); throws <see cref="ImageVerificationException"/> when it does not.
    /// </summary>
    /// <remarks>
    /// Digests are cached in <paramref name="cacheDirectory"/> by (full path, size, mtime), so a multi-gigabyte image
    /// is hashed again only after it changes. A change that keeps both size and mtime (a deliberate
    /// <c>touch -d</c> after editing) goes unnoticed; that is the price of not reading the whole file on every apply.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="expectedSha256"/> is not a sha256.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static async Task<string> VerifyAsync(string path, string expectedSha256, string cacheDirectory, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(expectedSha256);
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);

        var expected = Normalize(expectedSha256);
        var fullPath = Path.GetFullPath(path);
        var file = new FileInfo(fullPath);
        if (!file.Exists)
        {
            throw new FileNotFoundException($"Disk image '{fullPath}' does not exist.", fullPath);
        }

        var cachePath = Path.Combine(cacheDirectory, DigestCacheFile.FileName);
        var cache = DigestCacheFile.Read(cachePath);
        string actual;
        if (cache.Files.TryGetValue(fullPath, out var entry) && entry.Size == file.Length && entry.LastWriteTimeUtcTicks == file.LastWriteTimeUtc.Ticks)
        {
            actual = entry.Sha256;
        }
        else
        {
            actual = await FileDigest.Sha256Async(fullPath, ct).ConfigureAwait(false);
            // Re-read: another process may have added entries while we were hashing.
            DigestCacheFile.Read(cachePath)
                .With(fullPath, new DigestCacheEntry(file.Length, file.LastWriteTimeUtc.Ticks, actual))
                .Write(cachePath);
        }

        if (actual != expected)
        {
            throw new ImageVerificationException(fullPath, expected, actual);
        }

        return actual;
    }

    private static string Normalize(string expectedSha256)
    {
        var value = expectedSha256.Trim().ToLowerInvariant();
        if (value.StartsWith(Sha256Prefix, StringComparison.Ordinal))
        {
            value = value[Sha256Prefix.Length..];
        }

        return FileDigest.IsSha256Hex(value)
            ? value
            : throw new ArgumentException($"'{expectedSha256}' is not a sha256 (64 hex digits, optionally prefixed with \"sha256:\").", nameof(expectedSha256));
    }
}
