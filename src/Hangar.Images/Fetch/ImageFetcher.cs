using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Hangar.Images.Store;

namespace Hangar.Images.Fetch;

/// <summary>
/// Downloads images over HTTP(S) into a <see cref="ContentStore"/> (an agent's image cache), once per digest:
/// <list type="bullet">
/// <item>an image already cached is not fetched again;</item>
/// <item>callers asking for the same digest at once share one download (and each sees its progress);</item>
/// <item>the bytes go to <c>.partial/&lt;sha256&gt;.part</c>; after an interrupted transfer the download goes on
/// from where it stopped with a <c>Range</c> request (right away while each attempt makes progress, else on the next
/// fetch: the partial file is kept), unless the server answers with the whole file;</item>
/// <item>the digest (and the size, when the source states it) is checked before the file is renamed into the cache; a
/// mismatch deletes the partial file, so nothing wrong is ever cached.</item>
/// </list>
/// </summary>
public sealed class ImageFetcher : IDisposable
{
    /// <summary>How many times one fetch resumes an interrupted transfer that made progress before it gives up.</summary>
    public const int MaxResumes = 8;

    private readonly ContentStore _cache;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Download> _inFlight = new(StringComparer.Ordinal);

    /// <param name="handler">The HTTP handler (e.g. with a pinned certificate); null for the default one.</param>
    public ImageFetcher(ContentStore cache, HttpMessageHandler? handler = null)
    {
        _cache = cache;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        // A disk image takes as long as it takes; a dead connection is noticed by the transport, not by a total timeout.
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    public ContentStore Cache => _cache;

    /// <summary>The cached image with <paramref name="source"/>'s digest, downloaded first when it is not cached.</summary>
    /// <exception cref="ImageFetchException">The server refused it or the connection failed for good.</exception>
    /// <exception cref="ImageVerificationException">The bytes have another digest; nothing was cached.</exception>
    /// <exception cref="ImageSizeException">The bytes are not as many as the source said; nothing was cached.</exception>
    public async Task<StoredImage> FetchAsync(ImageSource source, IProgress<ImageDownloadProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (_cache.Find(source.Sha256) is { } cached) return cached;
        Download download;
        lock (_gate)
        {
            if (!_inFlight.TryGetValue(source.Sha256, out download!))
            {
                download = new Download();
                _inFlight[source.Sha256] = download;
                download.Task = Task.Run(() => RunAsync(source, download, _disposed.Token));
            }
            if (progress is not null) download.Listeners.Add(progress);
        }
        try
        {
            return await download.Task.WaitAsync(ct);
        }
        finally
        {
            lock (_gate) if (progress is not null) download.Listeners.Remove(progress);
        }
    }

    private async Task<StoredImage> RunAsync(ImageSource source, Download download, CancellationToken ct)
    {
        try
        {
            Directory.CreateDirectory(_cache.PartialDirectory);
            var partial = Path.Combine(_cache.PartialDirectory, source.Sha256 + ".part");
            for (var resumes = 0; ; resumes++)
            {
                var had = Length(partial);
                try
                {
                    return await AttemptAsync(source, partial, download, ct);
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
                {
                    var now = Length(partial);
                    if (now > had && resumes < MaxResumes) continue;
                    throw new ImageFetchException(
                        $"Downloading {source.Url} failed after {now:N0} bytes (kept, to resume on the next try): {e.Message}", e);
                }
            }
        }
        finally
        {
            lock (_gate) _inFlight.Remove(source.Sha256);
        }
    }

    private async Task<StoredImage> AttemptAsync(ImageSource source, string partial, Download download, CancellationToken ct)
    {
        var have = Length(partial);
        using var request = new HttpRequestMessage(HttpMethod.Get, source.Url);
        if (source.BearerToken is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
        {
            // The partial file is not a prefix of what the server has now (it is as long or longer): start over.
            File.Delete(partial);
            throw new IOException($"{source.Url} refused to resume at byte {have:N0}; starting over");
        }
        if (!response.IsSuccessStatusCode)
            throw new ImageFetchException($"GET {source.Url} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        var resumed = have > 0 && response.StatusCode == HttpStatusCode.PartialContent
            && response.Content.Headers.ContentRange?.From == have;
        if (!resumed) have = 0; // the server sent the whole file (it ignores ranges): start from its first byte
        var total = resumed ? response.Content.Headers.ContentRange?.Length : response.Content.Headers.ContentLength;
        if (source.ExpectedBytes is { } expected && total is { } announced && announced != expected)
            throw new ImageSizeException(source.Sha256, expected, announced);

        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long done;
        await using (var file = new FileStream(partial, resumed ? FileMode.Open : FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20,
                         FileOptions.Asynchronous))
        {
            if (resumed) await ContentStore.CopyAsync(file, Stream.Null, hash, 0, null, ct); // the bytes already here count
            file.Position = have;
            file.SetLength(have);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            done = await ContentStore.CopyAsync(body, file, hash, have, new SyncProgress(bytes => Report(download, new ImageDownloadProgress(bytes, total, resumed))), ct);
            await file.FlushAsync(ct);
            file.Flush(flushToDisk: true);
        }
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        hash.Dispose();
        if (total is { } length && done != length) throw new IOException($"The connection ended after {done:N0} of {length:N0} bytes");
        if (source.ExpectedBytes is { } size && done != size)
        {
            File.Delete(partial);
            throw new ImageSizeException(source.Sha256, size, done);
        }
        if (actual != source.Sha256)
        {
            File.Delete(partial);
            throw new ImageVerificationException(source.Url.ToString(), source.Sha256, actual);
        }
        var path = _cache.PathOf(source.Sha256);
        File.Move(partial, path, overwrite: true);
        return new StoredImage(source.Sha256, done, path);
    }

    private void Report(Download download, ImageDownloadProgress progress)
    {
        IProgress<ImageDownloadProgress>[] listeners;
        lock (_gate) listeners = download.Listeners.ToArray();
        foreach (var listener in listeners) listener.Report(progress);
    }

    private static long Length(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? file.Length : 0;
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _http.Dispose();
        _disposed.Dispose();
    }

    private sealed class Download
    {
        public Task<StoredImage> Task { get; set; } = null!;
        public List<IProgress<ImageDownloadProgress>> Listeners { get; } = [];
    }

    /// <summary>Reports on the copying thread (<see cref="Progress{T}"/> would post to the thread pool, out of order).</summary>
    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
