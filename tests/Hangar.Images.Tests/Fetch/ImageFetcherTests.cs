using System.Security.Cryptography;
using Hangar.Images.Fetch;
using Hangar.Images.Store;
using Hangar.Testing;

namespace Hangar.Images.Tests.Fetch;

/// <summary>Downloads from a real HTTP server on loopback (<see cref="LoopbackFileServer"/>), into a real cache directory.</summary>
public sealed class ImageFetcherTests : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private readonly TestDirectory _dir = new();
    private readonly LoopbackFileServer _server = new();
    private ContentStore _cache = null!;
    private ImageFetcher _fetcher = null!;

    public Task InitializeAsync()
    {
        _cache = new ContentStore(_dir.Combine("images", "sha256"));
        _fetcher = new ImageFetcher(_cache);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _fetcher.Dispose();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task FetchAsync_ConnectionCutMidway_ResumesWithRangeAndFetchesNoByteTwice()
    {
        var content = RandomBytes(3 * MiB + 123);
        var url = _server.Serve("disk.qcow2", content);
        _server.CutAfter(MiB + 7);
        var seen = new List<ImageDownloadProgress>();

        var image = await _fetcher.FetchAsync(new ImageSource(Sha(content), url), new SyncProgress(seen.Add), CancellationToken.None);

        var requests = _server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].Range);
        Assert.Equal(MiB + 7, requests[0].BodyBytes);
        Assert.Equal($"bytes={MiB + 7}-", requests[1].Range);
        Assert.Equal(206, requests[1].Status);
        Assert.Equal(content.Length, requests.Sum(r => r.BodyBytes)); // no byte fetched twice
        Assert.Equal(content, await File.ReadAllBytesAsync(image.Path));
        Assert.Equal(_cache.PathOf(Sha(content)), image.Path);
        Assert.Empty(Directory.GetFiles(_cache.PartialDirectory));
        Assert.Contains(seen, p => p.Resumed && p.Total == content.Length);
        Assert.Equal(content.Length, seen[^1].Done);
    }

    [Fact]
    public async Task FetchAsync_FailsAfterResumesRunOut_KeepsThePartialAndTheNextFetchGoesOnFromIt()
    {
        var content = RandomBytes(2 * MiB);
        var url = _server.Serve("disk.raw", content);
        _server.CutAfter(64 * 1024, times: ImageFetcher.MaxResumes + 1);

        var failed = await Assert.ThrowsAsync<ImageFetchException>(() => _fetcher.FetchAsync(new ImageSource(Sha(content), url), null, CancellationToken.None));
        Assert.Contains(url.ToString(), failed.Message);
        var kept = (ImageFetcher.MaxResumes + 1) * 64L * 1024;
        Assert.Equal(kept, new FileInfo(Path.Combine(_cache.PartialDirectory, Sha(content) + ".part")).Length);
        Assert.Null(_cache.Find(Sha(content)));

        await _fetcher.FetchAsync(new ImageSource(Sha(content), url), null, CancellationToken.None);
        Assert.Equal($"bytes={kept}-", _server.Requests[^1].Range);
        Assert.Equal(content.Length, _server.Requests.Sum(r => r.BodyBytes));
        Assert.Equal(content, await File.ReadAllBytesAsync(_cache.PathOf(Sha(content))));
    }

    [Fact]
    public async Task FetchAsync_WrongBytes_FailsWithBothDigestsAndCachesNothing()
    {
        var served = RandomBytes(300_000);
        var expected = Sha(RandomBytes(16));
        var url = _server.Serve("tampered.qcow2", served);

        var e = await Assert.ThrowsAsync<ImageVerificationException>(() => _fetcher.FetchAsync(new ImageSource(expected, url), null, CancellationToken.None));

        Assert.Contains(expected, e.Message);
        Assert.Contains(Sha(served), e.Message);
        Assert.Null(_cache.Find(expected));
        Assert.Empty(_cache.List());
        Assert.Empty(Directory.GetFiles(_cache.PartialDirectory));
    }

    [Fact]
    public async Task FetchAsync_NotFound_FailsNamingTheStatusAndCachesNothing()
    {
        var url = new Uri(_server.BaseUrl, "missing.qcow2");
        var sha = Sha(RandomBytes(16));

        var e = await Assert.ThrowsAsync<ImageFetchException>(() => _fetcher.FetchAsync(new ImageSource(sha, url), null, CancellationToken.None));

        Assert.Contains("404", e.Message);
        Assert.Contains(url.ToString(), e.Message);
        Assert.Empty(_cache.List());
    }

    [Fact]
    public async Task FetchAsync_SizeDiffersFromTheSource_FailsBeforeCaching()
    {
        var content = RandomBytes(100_000);
        var url = _server.Serve("disk.qcow2", content);

        var e = await Assert.ThrowsAsync<ImageSizeException>(() =>
            _fetcher.FetchAsync(new ImageSource(Sha(content), url, ExpectedBytes: content.Length + 1), null, CancellationToken.None));

        Assert.Equal(content.Length, e.ActualBytes);
        Assert.Empty(_cache.List());
    }

    [Fact]
    public async Task FetchAsync_ManyCallersAtOnce_DownloadOnceAndShareTheFile()
    {
        var content = RandomBytes(4 * MiB);
        var url = _server.Serve("shared.qcow2", content);
        var source = new ImageSource(Sha(content), url);

        var images = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _fetcher.FetchAsync(source, null, CancellationToken.None)));

        Assert.Single(_server.Requests);
        Assert.All(images, i => Assert.Equal(_cache.PathOf(source.Sha256), i.Path));
        // Cached now: a later fetch reads nothing from the network.
        await _fetcher.FetchAsync(source, null, CancellationToken.None);
        Assert.Single(_server.Requests);
    }

    private sealed class SyncProgress(Action<ImageDownloadProgress> report) : IProgress<ImageDownloadProgress>
    {
        public void Report(ImageDownloadProgress value) { lock (this) report(value); }
    }
}
