using Hangar.Images;
using Hangar.Spec;

namespace Hangar.Agent.Images;

/// <summary>
/// Turns a VM's image name into files on this host: the built-in <c>tiny</c> image is assembled (once, cached by
/// content); a file image is checked against its sha256 (cached by size and modification time).
/// </summary>
public sealed class VmImageResolver(AgentOptions options)
{
    private readonly TinyImageBuilder _tiny = new(options.ImagesDirectory);
    private readonly SemaphoreSlim _tinyLock = new(1, 1);
    private KernelImage? _tinyImage;

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

    /// <summary>Verifies a file image and returns its digest.</summary>
    public Task<string> VerifyAsync(ImageSpec image, CancellationToken ct) =>
        DiskImageVerifier.VerifyAsync(image.Path, image.Sha256, Path.Combine(options.ImagesDirectory, "verified"), ct);
}
