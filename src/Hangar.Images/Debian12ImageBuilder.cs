using System.Diagnostics;
using System.Text.Json;
using Hangar.Images.Debian12;
using Hangar.Images.Tiny;
using Hangar.Processes;

namespace Hangar.Images;

/// <summary>
/// Builds Hangar's built-in <c>debian-12</c> image from Debian packages and caches it by the recipe's key
/// (images/debian-12/README.md): <c>mmdebstrap</c> into a directory, the kernel and initramfs copied out of its /boot,
/// <c>mke2fs -d</c> into a raw ext4 file system, <c>qemu-img convert</c> to qcow2.
/// </summary>
/// <remarks>
/// Layout of <c>imagesDirectory</c> (shared with the tiny image):
/// <code>
/// &lt;key&gt;/               disk.qcow2, vmlinuz, initrd.img, image.json   (complete, never modified)
/// .build-&lt;random&gt;/     a build in progress; its image/ is renamed to &lt;key&gt;/ when complete
/// </code>
/// </remarks>
public sealed class Debian12ImageBuilder
{
    private const string DiskFileName = "disk.qcow2";
    private const string KernelFileName = "vmlinuz";
    private const string InitrdFileName = "initrd.img";

    private readonly string _imagesDirectory;
    private readonly string _etcApt;
    private readonly ProcessRunner _runner = ProcessRunner.Instance;

    /// <param name="imagesDirectory">Cache of built images; created if missing.</param>
    /// <param name="etcApt">Where the host's apt sources are read from (the mirror the image is built from).</param>
    public Debian12ImageBuilder(string imagesDirectory, string etcApt = AptSources.DefaultDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesDirectory);
        _imagesDirectory = Path.GetFullPath(imagesDirectory);
        _etcApt = etcApt;
    }

    /// <summary>The image's cache directory for the current recipe; complete when it exists.</summary>
    public string ImageDirectory => Path.Combine(_imagesDirectory, Debian12Recipe.Key);

    /// <summary>
    /// Returns the image, building it first unless the directory of the current recipe's key is complete (then nothing
    /// runs). A build takes a minute or two and reports each step to <paramref name="progress"/>.
    /// </summary>
    /// <exception cref="ImageBuildException">A step failed; the message names it and holds what the program printed.</exception>
    public async Task<DiskBootImage> EnsureAsync(IProgress<string>? progress, CancellationToken ct)
    {
        if (!IsComplete(ImageDirectory)) await BuildAsync(progress, ct).ConfigureAwait(false);
        return ToImage();
    }

    private async Task BuildAsync(IProgress<string>? progress, CancellationToken ct)
    {
        Directory.CreateDirectory(_imagesDirectory);
        var work = Path.Combine(_imagesDirectory, ".build-" + Guid.NewGuid().ToString("n"));
        var root = Path.Combine(work, "root");
        var output = Path.Combine(work, "image");
        Directory.CreateDirectory(output);
        var clock = Stopwatch.StartNew();
        try
        {
            var sources = Path.Combine(work, "debian.sources");
            await File.WriteAllTextAsync(sources, AptSources.ForSuite(_etcApt, Debian12Recipe.Suite), ct).ConfigureAwait(false);
            var hook = Path.Combine(work, "customize");
            await File.WriteAllBytesAsync(hook, Debian12Recipe.Customize, ct).ConfigureAwait(false);
            File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            progress?.Report($"building image {Debian12Image.Name}: mmdebstrap {Debian12Recipe.Suite} ({Debian12Recipe.Packages.Count} packages and their dependencies)");
            var lines = new StepProgress(progress, clock);
            var mmdebstrap = new List<string>
            {
                // auto: as root, a chroot; otherwise Linux user namespaces (unshare), so no root is needed to build.
                "--mode=auto", "--variant=apt", "--format=directory",
                "--include=" + string.Join(',', Debian12Recipe.Packages),
                "--customize-hook=" + hook,
            };
            mmdebstrap.AddRange(Debian12Recipe.ExcludedPaths.Select(p => "--dpkgopt=path-exclude=" + p));
            mmdebstrap.AddRange([Debian12Recipe.Suite, root, sources]);
            await RunAsync("mmdebstrap", mmdebstrap, lines, ct).ConfigureAwait(false);

            progress?.Report($"building image {Debian12Image.Name}: copying the kernel and initramfs ({clock.Elapsed.TotalSeconds:0} s)");
            var boot = Path.Combine(root, "boot");
            var kernel = Single(boot, "vmlinuz-*");
            var kernelVersion = Path.GetFileName(kernel)["vmlinuz-".Length..];
            File.Copy(kernel, Path.Combine(output, KernelFileName));
            File.Copy(Single(boot, "initrd.img-*"), Path.Combine(output, InitrdFileName));

            progress?.Report($"building image {Debian12Image.Name}: writing the ext4 file system ({clock.Elapsed.TotalSeconds:0} s)");
            var raw = Path.Combine(work, "disk.raw");
            await RunAsync("mke2fs", ["-q", "-F", "-t", "ext4", "-L", "hangar-root", "-d", root, raw,
                (Debian12Recipe.DiskBytes / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) + "k"], null, ct).ConfigureAwait(false);
            var packages = await InstalledPackagesAsync(root, ct).ConfigureAwait(false);
            Directory.Delete(root, recursive: true);

            progress?.Report($"building image {Debian12Image.Name}: converting to qcow2 ({clock.Elapsed.TotalSeconds:0} s)");
            await RunAsync("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", raw, Path.Combine(output, DiskFileName)], null, ct).ConfigureAwait(false);
            File.Delete(raw);

            var info = new ImageInfo(Debian12Image.Name, Debian12Recipe.Key, kernelVersion, packages, [], Debian12Image.KernelCommandLine, "",
                Debian12Recipe.Version, DateTimeOffset.UtcNow);
            await File.WriteAllBytesAsync(Path.Combine(output, ImageInfo.FileName),
                JsonSerializer.SerializeToUtf8Bytes(info, ImagesJsonContext.Readable.ImageInfo), ct).ConfigureAwait(false);
            Publish(output);
            progress?.Report($"image {Debian12Image.Name} ready ({Debian12Recipe.Key[..12]}, built in {clock.Elapsed.TotalSeconds:0} s)");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { /* a file still open by a killed step; the next build of the same key starts afresh */ }
        }
    }

    private async Task RunAsync(string program, IReadOnlyList<string> arguments, IProgress<string>? lines, CancellationToken ct)
    {
        ProcessResult result;
        try
        {
            result = await _runner.RunAsync(program, arguments, null, null, lines, ct).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ImageBuildException($"Building image {Debian12Image.Name} needs {program}, which is not installed (scripts/install-deps.sh installs it).", e);
        }
        if (result.ExitCode != 0)
        {
            var tail = string.Join('\n', result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(15));
            throw new ImageBuildException($"Building image {Debian12Image.Name}: {program} exited with {result.ExitCode}:\n{tail}");
        }
    }

    /// <summary>name=version of every installed package, read from dpkg's status file in the image.</summary>
    private static async Task<IReadOnlyList<string>> InstalledPackagesAsync(string root, CancellationToken ct)
    {
        var status = await File.ReadAllTextAsync(Path.Combine(root, "var", "lib", "dpkg", "status"), ct).ConfigureAwait(false);
        var packages = new List<string>();
        foreach (var stanza in status.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null, version = null;
            foreach (var line in stanza.Split('\n'))
            {
                if (line.StartsWith("Package: ", StringComparison.Ordinal)) name = line[9..];
                else if (line.StartsWith("Version: ", StringComparison.Ordinal)) version = line[9..];
            }
            if (name is not null) packages.Add($"{name}={version}");
        }
        return packages.Order(StringComparer.Ordinal).ToArray();
    }

    private void Publish(string output)
    {
        try
        {
            Directory.Move(output, ImageDirectory);
        }
        catch (IOException) when (IsComplete(ImageDirectory))
        {
            // A concurrent build of the same recipe finished first; its image is as good as ours.
        }
        catch (IOException e)
        {
            throw new ImageBuildException($"Could not move the built image into {ImageDirectory}.", e);
        }
    }

    private static string Single(string directory, string pattern)
    {
        var matches = Directory.Exists(directory) ? Directory.GetFiles(directory, pattern) : [];
        return matches.Length == 1
            ? matches[0]
            : throw new ImageBuildException($"Building image {Debian12Image.Name}: the image's /boot has {matches.Length} files matching {pattern} instead of one.");
    }

    private static bool IsComplete(string directory) =>
        File.Exists(Path.Combine(directory, DiskFileName)) && File.Exists(Path.Combine(directory, KernelFileName))
        && File.Exists(Path.Combine(directory, InitrdFileName));

    private DiskBootImage ToImage() => new(Debian12Recipe.Key, Path.Combine(ImageDirectory, DiskFileName),
        Path.Combine(ImageDirectory, KernelFileName), Path.Combine(ImageDirectory, InitrdFileName), Debian12Image.KernelCommandLine);

    /// <summary>mmdebstrap's own step lines (<c>I: installing remaining packages inside the chroot...</c>) as build progress.</summary>
    private sealed class StepProgress(IProgress<string>? progress, Stopwatch clock) : IProgress<string>
    {
        public void Report(string value)
        {
            if (value.StartsWith("I: ", StringComparison.Ordinal))
                progress?.Report($"building image {Debian12Image.Name}: {value[3..].TrimEnd('.')} ({clock.Elapsed.TotalSeconds:0} s)");
        }
    }
}
