using Hangar.Images;
using Hangar.Images.Fetch;
using Hangar.Images.Store;
using Hangar.Protocol.Agent;
using Hangar.Spec;

namespace Hangar.Agent.Images;

/// <summary>
/// Turns a VM's image into files on this host: the built-in <c>tiny</c> and <c>debian-12</c> images are built (once,
/// cached by content);
/// a declared image is taken from the agent's own content-addressed cache (<c>blobs/sha256/&lt;digest&gt;</c>), fetched
/// into it first when it is not there: by digest from the control plane (<see cref="AgentProtocol.ImagesPath"/>, with
/// the agent's credential) or from the image's URL. Every download is verified before it enters the cache, and VMs
/// naming the same image share one download and one file. No path from the control plane is ever opened.
/// </summary>
public sealed class VmImageResolver(AgentOptions options) : IDisposable
{
    private readonly TinyImageBuilder _tiny = new(options.ImagesDirectory);
    private readonly SemaphoreSlim _tinyLock = new(1, 1);
    private readonly Debian12ImageBuilder _debian12 = new(options.ImagesDirectory);
    private readonly SemaphoreSlim _debian12Lock = new(1, 1);
    private DiskBootImage? _debian12Image;
    private readonly ImageFetcher _fetcher = new(new ContentStore(options.BlobsDirectory));
    private KernelImage? _tinyImage;
    private (Uri Images, string Credential)? _controlPlane;
    // Images from the control plane go through the agent's pin of its certificate (the pin accepts that certificate and
    // no other), images by URL through the system's trust store: two clients, one cache.
    private ImageFetcher? _planeFetcher;
    private SocketsHttpHandler? _planeHandler;

    public ContentStore Cache => _fetcher.Cache;

    /// <summary>Where file images come from: the control plane whose agent endpoint is <paramref name="agentUrl"/>.</summary>
    public void UseControlPlane(Uri agentUrl, string credential)
    {
        var images = new UriBuilder(agentUrl)
        {
            Scheme = agentUrl.Scheme is "wss" or "https" ? "https" : "http",
            Path = AgentProtocol.ImagesPath + "/",
        }.Uri;
        _controlPlane = (images, credential);
        if (options.ServerPin is { } pin && _planeFetcher is null)
        {
            _planeHandler = new SocketsHttpHandler();
            _planeHandler.SslOptions.RemoteCertificateValidationCallback = pin.Validate;
            _planeFetcher = new ImageFetcher(_fetcher.Cache, _planeHandler);
        }
    }

    public async Task<KernelImage> GetTinyAsync(IProgress<string>? progress, CancellationToken ct)
    {
        if (_tinyImage is { } cached) return cached;
        await _tinyLock.WaitAsync(ct);
        try
        {
            return _tinyImage ??= await _tiny.EnsureAsync(progress, ct);
        }
        finally
        {
            _tinyLock.Release();
        }
    }

    /// <summary>
    /// The built-in debian-12 image, built on first use (a minute or more: each step is reported to
    /// <paramref name="progress"/>); VMs that need it while it builds wait for the one build.
    /// </summary>
    public async Task<DiskBootImage> GetDebian12Async(IProgress<string>? progress, CancellationToken ct)
    {
        if (_debian12Image is { } cached) return cached;
        progress?.Report($"waiting for image {Debian12Image.Name}");
        await _debian12Lock.WaitAsync(ct);
        try
        {
            return _debian12Image ??= await _debian12.EnsureAsync(progress, ct);
        }
        finally
        {
            _debian12Lock.Release();
        }
    }

    /// <summary>The cached, verified file of <paramref name="image"/>, downloaded first when this host does not have it.</summary>
    /// <param name="sizeBytes">Its size in the control plane's store, when the control plane said.</param>
    /// <exception cref="ImageFetchException">It could not be downloaded.</exception>
    /// <exception cref="ImageVerificationException">What was downloaded has another digest (nothing was cached).</exception>
    public async Task<StoredImage> FetchAsync(ImageSpec image, long? sizeBytes, IProgress<string>? progress, CancellationToken ct)
    {
        if (_fetcher.Cache.Find(image.Sha256) is { } cached) return cached;
        ImageSource source;
        if (image.Url is { } url) source = new ImageSource(image.Sha256, new Uri(url), sizeBytes);
        else if (_controlPlane is { } plane) source = new ImageSource(image.Sha256, new Uri(plane.Images, image.Sha256), sizeBytes, plane.Credential);
        else throw new ImageFetchException($"Image {image.Name} (sha256:{image.Sha256}) is not cached on this host and this agent has no control plane to fetch it from.");
        var from = image.Url ?? "the control plane";
        progress?.Report($"downloading image {image.Name} from {from}");
        var fetcher = image.Url is null ? _planeFetcher ?? _fetcher : _fetcher;
        return await fetcher.FetchAsync(source, new DirectProgress(p => progress?.Report($"downloading image {image.Name}: {p}")), ct);
    }

    public void Dispose()
    {
        _fetcher.Dispose();
        _planeFetcher?.Dispose();
        _planeHandler?.Dispose();
    }

    private sealed class DirectProgress(Action<ImageDownloadProgress> report) : IProgress<ImageDownloadProgress>
    {
        public void Report(ImageDownloadProgress value) => report(value);
    }
}
