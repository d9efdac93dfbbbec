using System.Text.Json;
using Hangar.Images.Debian;
using Hangar.Processes;
using Hangar.Images.Tiny;

namespace Hangar.Images;

/// <summary>
/// Assembles Hangar's built-in <c>tiny</c> guest (Debian cloud kernel + busybox initramfs, see images/tiny/README.md)
/// from Debian packages, and caches it by content.
/// </summary>
/// <remarks>
/// Layout of <c>imagesDirectory</c>:
/// <code>
/// manifest.json          "tiny" → current digest + the recipe key it was built with
/// &lt;digest&gt;/              vmlinuz, initrd.img, image.json   (complete, never modified)
/// .build-&lt;random&gt;/       a build in progress; renamed to &lt;digest&gt;/ when complete
/// </code>
/// An image directory appears by one rename of a finished build, so it is either absent or complete, and two
/// processes building at once both end up using the same complete directory.
/// </remarks>
public sealed class TinyImageBuilder
{
    private const string KernelFileName = "vmlinuz";
    private const string InitrdFileName = "initrd.img";
    private static readonly TimeSpan AbandonedBuildAge = TimeSpan.FromHours(1);

    private readonly string _imagesDirectory;
    private readonly AptPackageSource _packages;

    /// <param name="imagesDirectory">Cache of built images; created if missing.</param>
    /// <param name="packageCacheDirectory">Where downloaded .deb files are kept; default <c>imagesDirectory/../debs</c>.</param>
    public TinyImageBuilder(string imagesDirectory, string? packageCacheDirectory = null)
        : this(imagesDirectory, packageCacheDirectory, ProcessRunner.Instance, AptPackageSource.SystemArchiveDirectory)
    {
    }

    internal TinyImageBuilder(string imagesDirectory, string? packageCacheDirectory, IProcessRunner runner, string? systemArchiveDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesDirectory);
        _imagesDirectory = Path.GetFullPath(imagesDirectory);
        var debs = Path.GetFullPath(packageCacheDirectory ?? Path.Combine(_imagesDirectory, "..", "debs"));
        _packages = new AptPackageSource(runner, debs, systemArchiveDirectory);
    }

    /// <summary>
    /// Returns the tiny image, building it first unless the manifest names a complete image built with the current
    /// recipe (then no apt or dpkg runs at all). A rebuild picks up newer Debian packages: it resolves the current
    /// candidates of the kernel metapackage and busybox-static, and reuses an image already built from exactly those.
    /// </summary>
    /// <param name="progress">Receives short lines such as "downloading linux-image-6.1.0-56-cloud-amd64".</param>
    public async Task<KernelImage> EnsureAsync(IProgress<string>? progress, CancellationToken ct)
    {
        var manifestPath = Path.Combine(_imagesDirectory, ImageManifest.FileName);
        var manifest = ImageManifest.Read(manifestPath);
        if (manifest.Images.TryGetValue(TinyImage.Name, out var current) && current.RecipeKey == TinyRecipe.Key && IsComplete(current.Digest))
        {
            return ToKernelImage(current.Digest);
        }

        progress?.Report("resolving Debian packages");
        var packages = await _packages.ResolveAsync(
            [(TinyRecipe.KernelMetaPackage, TinyRecipe.KernelPackagePrefix)], [TinyRecipe.BusyboxPackage], ct).ConfigureAwait(false);
        var (kernel, busybox) = (packages[0], packages[1]);
        var digest = TinyRecipe.Digest(packages);

        if (!IsComplete(digest))
        {
            await BuildAsync(digest, kernel, busybox, progress, ct).ConfigureAwait(false);
        }

        var entry = new ImageManifestEntry(digest, TinyRecipe.Key, packages.Select(p => p.ToString()).ToArray());
        ImageManifest.Read(manifestPath).With(TinyImage.Name, entry).Write(manifestPath);
        progress?.Report($"tiny image ready ({digest[..12]})");
        return ToKernelImage(digest);
    }

    private async Task BuildAsync(string digest, DebianPackage kernel, DebianPackage busybox, IProgress<string>? progress, CancellationToken ct)
    {
        Directory.CreateDirectory(_imagesDirectory);
        RemoveAbandonedBuilds();
        var work = Path.Combine(_imagesDirectory, ".build-" + Guid.NewGuid().ToString("n"));
        var output = Path.Combine(work, "image");
        Directory.CreateDirectory(output);
        try
        {
            var kernelDeb = await _packages.FetchAsync(kernel, progress, ct).ConfigureAwait(false);
            var busyboxDeb = await _packages.FetchAsync(busybox, progress, ct).ConfigureAwait(false);

            progress?.Report($"extracting {kernel.Name}");
            var kernelRoot = Path.Combine(work, "kernel");
            await _packages.ExtractAsync(kernelDeb, kernelRoot, ct).ConfigureAwait(false);
            progress?.Report($"extracting {busybox.Name}");
            var busyboxRoot = Path.Combine(work, "busybox");
            await _packages.ExtractAsync(busyboxDeb, busyboxRoot, ct).ConfigureAwait(false);

            var vmlinuz = SingleFile(Path.Combine(kernelRoot, "boot"), "vmlinuz-*", kernel);
            var kernelVersion = Path.GetFileName(vmlinuz)["vmlinuz-".Length..];
            File.Copy(vmlinuz, Path.Combine(output, KernelFileName));

            progress?.Report("packing initramfs");
            var busyboxBinary = Path.Combine(busyboxRoot, "bin", "busybox");
            if (!File.Exists(busyboxBinary))
            {
                throw new ImageBuildException($"Package {busybox} has no bin/busybox.");
            }

            ct.ThrowIfCancellationRequested();
            TinyInitramfs.Write(kernelRoot, kernelVersion, busyboxBinary, Path.Combine(output, InitrdFileName));

            var info = new ImageInfo(TinyImage.Name, digest, kernelVersion, [kernel.ToString(), busybox.ToString()],
                TinyRecipe.Modules, TinyImage.KernelCommandLine, TinyImage.ReadyMarker, TinyRecipe.Version, DateTimeOffset.UtcNow);
            File.WriteAllBytes(Path.Combine(output, ImageInfo.FileName), JsonSerializer.SerializeToUtf8Bytes(info, ImagesJsonContext.Readable.ImageInfo));

            Publish(output, digest);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Renames the finished build into place, unless another process has published the same digest first.</summary>
    private void Publish(string output, string digest)
    {
        var destination = Path.Combine(_imagesDirectory, digest);
        try
        {
            Directory.Move(output, destination);
        }
        catch (IOException) when (IsComplete(digest))
        {
            // Lost the race to a concurrent build of the same inputs; its directory is as good as ours.
        }
        catch (IOException e)
        {
            throw new ImageBuildException($"Could not move the built image into {destination}.", e);
        }
    }

    private void RemoveAbandonedBuilds()
    {
        foreach (var directory in Directory.EnumerateDirectories(_imagesDirectory, ".build-*"))
        {
            // Only old ones: a young one may belong to a build running in another process right now.
            if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(directory) > AbandonedBuildAge)
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (IOException)
                {
                    // Someone else is cleaning it up; not our problem.
                }
            }
        }
    }

    private static string SingleFile(string directory, string pattern, DebianPackage package)
    {
        var matches = Directory.Exists(directory) ? Directory.GetFiles(directory, pattern) : [];
        return matches.Length == 1
            ? matches[0]
            : throw new ImageBuildException($"Package {package} has {matches.Length} files matching {pattern} in /boot instead of one.");
    }

    private bool IsComplete(string digest)
    {
        var directory = Path.Combine(_imagesDirectory, digest);
        return File.Exists(Path.Combine(directory, KernelFileName)) && File.Exists(Path.Combine(directory, InitrdFileName));
    }

    private KernelImage ToKernelImage(string digest)
    {
        var directory = Path.Combine(_imagesDirectory, digest);
        return new KernelImage(digest, Path.Combine(directory, KernelFileName), Path.Combine(directory, InitrdFileName),
            TinyImage.KernelCommandLine, TinyImage.ReadyMarker);
    }
}
