using System.Security.Cryptography;

namespace Hangar.Images.Store;

/// <summary>
/// A directory of images named by their sha256 (<c>DIR/&lt;64 hex digits&gt;</c>): the control plane's image store and
/// each agent's image cache. A file enters only after its bytes were hashed and matched its name, and only by a rename
/// from <c>DIR/.partial/</c> (same file system), so a reader sees a whole, verified image or none. Nothing here is
/// ever written again: an image's content is its name.
/// </summary>
/// <remarks>
/// On one machine (<c>hangar up</c>) the control plane's store and its local agent's cache are the same directory, so
/// an uploaded image is not copied a second time.
/// </remarks>
public sealed class ContentStore
{
    public ContentStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = System.IO.Path.GetFullPath(directory);
    }

    public string Directory { get; }

    /// <summary>Where unfinished files are written (and, for downloads, resumed from).</summary>
    public string PartialDirectory => System.IO.Path.Combine(Directory, ".partial");

    /// <summary>The stored image with this digest, or null.</summary>
    public StoredImage? Find(string sha256)
    {
        var path = PathOf(sha256);
        var file = new FileInfo(path);
        return file.Exists ? new StoredImage(sha256, file.Length, path) : null;
    }

    /// <summary>Every stored image, by digest.</summary>
    public IReadOnlyList<StoredImage> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        return new DirectoryInfo(Directory).EnumerateFiles()
            .Where(f => FileDigest.IsSha256Hex(f.Name))
            .Select(f => new StoredImage(f.Name, f.Length, f.FullName))
            .OrderBy(i => i.Sha256, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Deletes the image; false when there was none.</summary>
    public bool Delete(string sha256)
    {
        var path = PathOf(sha256);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    /// <summary>
    /// Reads <paramref name="content"/> to its end into the store under <paramref name="sha256"/>, hashing as it goes,
    /// and keeps it only when the bytes have that digest (and <paramref name="expectedBytes"/> bytes, when given).
    /// An image already stored is not written again (the content is drained and checked all the same).
    /// </summary>
    /// <exception cref="ImageVerificationException">The bytes have another digest; nothing is kept.</exception>
    /// <exception cref="ImageSizeException">The bytes are not <paramref name="expectedBytes"/> long; nothing is kept.</exception>
    public async Task<StoredImage> PutAsync(string sha256, Stream content, long? expectedBytes, IProgress<long>? progress, CancellationToken ct)
    {
        var path = PathOf(sha256);
        System.IO.Directory.CreateDirectory(PartialDirectory);
        var temporary = System.IO.Path.Combine(PartialDirectory, $"{sha256}.{Guid.NewGuid():n}.upload");
        try
        {
            long written;
            string actual;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous))
            {
                (written, actual) = await CopyHashingAsync(content, file, IncrementalHash.CreateHash(HashAlgorithmName.SHA256), 0, progress, ct);
                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true);
            }
            if (expectedBytes is { } expected && written != expected) throw new ImageSizeException(sha256, expected, written);
            if (actual != sha256) throw new ImageVerificationException($"upload of sha256:{sha256}", sha256, actual);
            if (!File.Exists(path)) File.Move(temporary, path);
            return new StoredImage(sha256, written, path);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The file an image with this digest has (or would have).</summary>
    /// <exception cref="ArgumentException"><paramref name="sha256"/> is not 64 lowercase hex digits.</exception>
    public string PathOf(string sha256) => FileDigest.IsSha256Hex(sha256)
        ? System.IO.Path.Combine(Directory, sha256)
        : throw new ArgumentException($"'{sha256}' is not a sha256 (64 lowercase hex digits).", nameof(sha256));

    /// <summary>Copies to the end, feeding <paramref name="hash"/>; returns the bytes copied (after <paramref name="start"/>) plus start, and the digest.</summary>
    internal static async Task<(long Bytes, string Sha256)> CopyHashingAsync(Stream source, Stream target, IncrementalHash hash, long start,
        IProgress<long>? progress, CancellationToken ct)
    {
        using (hash)
        {
            var done = await CopyAsync(source, target, hash, start, progress, ct);
            return (done, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
    }

    /// <summary>Copies to the end, feeding <paramref name="hash"/>, reporting the running total about every MiB.</summary>
    internal static async Task<long> CopyAsync(Stream source, Stream target, IncrementalHash hash, long start, IProgress<long>? progress, CancellationToken ct)
    {
        var buffer = new byte[1 << 17];
        var done = start;
        var reported = start;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), ct);
            done += read;
            if (done - reported >= 1 << 20)
            {
                progress?.Report(done);
                reported = done;
            }
        }
        progress?.Report(done);
        return done;
    }
}
