using Hangar.Processes;

namespace Hangar.Images.Debian;

/// <summary>
/// Resolves, fetches and unpacks Debian packages with the host's apt and dpkg. Needs no root:
/// <c>apt-get download</c> and <c>dpkg-deb -x</c> only write into directories this class owns.
/// </summary>
internal sealed class AptPackageSource
{
    /// <summary>Where apt itself keeps downloaded packages; reused when it holds the version we need.</summary>
    public const string SystemArchiveDirectory = "/var/cache/apt/archives";

    private readonly IProcessRunner _runner;
    private readonly string _cacheDirectory;
    private readonly IReadOnlyList<string> _searchDirectories;

    public AptPackageSource(IProcessRunner runner, string cacheDirectory, string? systemArchiveDirectory = SystemArchiveDirectory)
    {
        _runner = runner;
        _cacheDirectory = cacheDirectory;
        _searchDirectories = systemArchiveDirectory is null ? [cacheDirectory] : [cacheDirectory, systemArchiveDirectory];
    }

    /// <summary>
    /// The candidate versions (what <c>apt-get install</c> would pick) of <paramref name="packages"/>, plus, for each
    /// metapackage of <paramref name="metaPackages"/>, its first dependency whose name starts with the given prefix
    /// (linux-image-cloud-amd64 → linux-image-6.1.0-56-cloud-amd64). Two apt-cache runs whatever the count: each
    /// costs about a second because apt loads its whole cache.
    /// </summary>
    public async Task<IReadOnlyList<DebianPackage>> ResolveAsync(
        IReadOnlyList<(string MetaPackage, string Prefix)> metaPackages, IReadOnlyList<string> packages, CancellationToken ct)
    {
        var first = await ShowAsync([.. metaPackages.Select(m => m.MetaPackage), .. packages], ct).ConfigureAwait(false);
        var dependencies = metaPackages
            .Select(m => first[m.MetaPackage].DependencyNames("Depends").FirstOrDefault(n => n.StartsWith(m.Prefix, StringComparison.Ordinal))
                ?? throw new ImageBuildException($"Package {m.MetaPackage} does not depend on any {m.Prefix}* package."))
            .ToList();
        var second = dependencies.Count == 0 ? first : await ShowAsync(dependencies, ct).ConfigureAwait(false);
        return [.. dependencies.Select(name => ToPackage(name, second[name])), .. packages.Select(name => ToPackage(name, first[name]))];
    }

    private static DebianPackage ToPackage(string name, AptStanza stanza)
    {
        var version = stanza["Version"];
        var architecture = stanza["Architecture"];
        var sha256 = stanza["SHA256"]?.ToLowerInvariant();
        if (version is null || architecture is null || sha256 is null || !FileDigest.IsSha256Hex(sha256))
        {
            throw new ImageBuildException($"'apt-cache show {name}' did not give a Version, Architecture and SHA256.");
        }

        return new DebianPackage(name, version, architecture, sha256);
    }

    /// <summary>
    /// Path of the package's .deb: a cached copy whose sha256 matches, or one downloaded into the cache.
    /// Downloads go to a private directory first and are renamed into the cache, so concurrent fetches do not clash.
    /// </summary>
    public async Task<string> FetchAsync(DebianPackage package, IProgress<string>? progress, CancellationToken ct)
    {
        foreach (var directory in _searchDirectories)
        {
            var candidate = Path.Combine(directory, package.FileName);
            if (File.Exists(candidate) && await FileDigest.Sha256Async(candidate, ct).ConfigureAwait(false) == package.Sha256)
            {
                progress?.Report($"using cached {package.Name}");
                return candidate;
            }
        }

        progress?.Report($"downloading {package.Name}");
        Directory.CreateDirectory(_cacheDirectory);
        var downloadDirectory = Path.Combine(_cacheDirectory, ".download-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(downloadDirectory);
        try
        {
            await RunCheckedAsync("apt-get", ["download", $"{package.Name}={package.Version}"], downloadDirectory, ct).ConfigureAwait(false);
            var downloaded = Directory.GetFiles(downloadDirectory, "*.deb");
            if (downloaded.Length != 1)
            {
                throw new ImageBuildException($"'apt-get download {package.Name}' left {downloaded.Length} .deb files instead of one.");
            }

            var actual = await FileDigest.Sha256Async(downloaded[0], ct).ConfigureAwait(false);
            if (actual != package.Sha256)
            {
                throw new ImageBuildException($"Downloaded {package.FileName} has sha256 {actual}, but apt's index says {package.Sha256}.");
            }

            var destination = Path.Combine(_cacheDirectory, package.FileName);
            File.Move(downloaded[0], destination, overwrite: true);
            return destination;
        }
        finally
        {
            Directory.Delete(downloadDirectory, recursive: true);
        }
    }

    /// <summary>Unpacks the package's files (not its maintainer scripts) under <paramref name="destination"/>.</summary>
    public Task ExtractAsync(string debPath, string destination, CancellationToken ct)
    {
        Directory.CreateDirectory(destination);
        return RunCheckedAsync("dpkg-deb", ["-x", debPath, destination], null, ct);
    }

    private async Task<Dictionary<string, AptStanza>> ShowAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        var result = await RunAsync("apt-cache", ["show", "--no-all-versions", .. names], null, ct).ConfigureAwait(false);
        var stanzas = new Dictionary<string, AptStanza>(StringComparer.Ordinal);
        foreach (var stanza in AptStanza.ParseAll(result.StandardOutput))
        {
            if (stanza["Package"] is { } package)
            {
                stanzas.TryAdd(package, stanza);
            }
        }

        // apt-cache exits 100 if any name is unknown; say which.
        var missing = names.Where(n => !stanzas.ContainsKey(n)).ToList();
        if (missing.Count > 0 || result.ExitCode != 0)
        {
            throw new ImageBuildException(
                $"apt does not know package(s) {string.Join(", ", missing)} (exit code {result.ExitCode}): {result.StandardError.Trim()} Run 'apt-get update'?");
        }

        return stanzas;
    }

    private async Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string? workingDirectory, CancellationToken ct)
    {
        try
        {
            return await _runner.RunAsync(fileName, arguments, workingDirectory, ct).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ImageBuildException($"Could not start '{fileName}'; is it installed?", e);
        }
    }

    private async Task<string> RunCheckedAsync(string fileName, IReadOnlyList<string> arguments, string? workingDirectory, CancellationToken ct)
    {
        var result = await RunAsync(fileName, arguments, workingDirectory, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new ImageBuildException(
                $"'{fileName} {string.Join(' ', arguments)}' failed with exit code {result.ExitCode}: {result.StandardError.Trim()}");
        }

        return result.StandardOutput;
    }
}
