using System.IO.Compression;
using System.Text;
using Hangar.Images.Tests.Cpio;
using Hangar.Images.Tests.Processes;
using Hangar.Images.Tiny;
using Xunit.Abstractions;

namespace Hangar.Images.Tests;

[Collection(TinyImageCollection.Name)]
public sealed class TinyImageBuilderTests(TinyImageFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task EnsureAsync_SecondCall_StartsNoProcessAndReturnsSameDigest()
    {
        using var directory = new TestDirectory();
        using var timeout = new CancellationTokenSource(BuildTimeout);
        var imagesDirectory = directory.Combine("images");
        var firstRunner = new CountingProcessRunner();
        var firstProgress = new ProgressLines(output);

        var first = await NewBuilder(imagesDirectory, firstRunner).EnsureAsync(firstProgress, timeout.Token);

        Assert.Contains(firstRunner.Started, command => command.StartsWith("dpkg-deb -x", StringComparison.Ordinal));
        Assert.Contains("packing initramfs", firstProgress.Lines);
        Assert.True(new FileInfo(first.KernelPath).Length > 1_000_000, "kernel looks too small");
        Assert.True(new FileInfo(first.InitrdPath).Length > 100_000, "initrd looks too small");

        var secondRunner = new CountingProcessRunner();
        var secondProgress = new ProgressLines(output);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var second = await NewBuilder(imagesDirectory, secondRunner).EnsureAsync(secondProgress, timeout.Token);
        output.WriteLine($"cold build {firstProgress.Elapsed.TotalSeconds:F2} s, warm call {stopwatch.Elapsed.TotalMilliseconds:F1} ms");

        Assert.Empty(secondRunner.Started);
        Assert.Empty(secondProgress.Lines);
        Assert.Equal(first, second);
        Assert.Equal(Path.Combine(imagesDirectory, first.Digest, "vmlinuz"), first.KernelPath);
    }

    [Fact]
    public async Task EnsureAsync_TwoBuildsAtOnce_BothGetTheSameCompleteImage()
    {
        using var directory = new TestDirectory();
        using var timeout = new CancellationTokenSource(BuildTimeout);
        var imagesDirectory = directory.Combine("images");

        var results = await Task.WhenAll(
            Task.Run(() => NewBuilder(imagesDirectory, new CountingProcessRunner()).EnsureAsync(null, timeout.Token)),
            Task.Run(() => NewBuilder(imagesDirectory, new CountingProcessRunner()).EnsureAsync(null, timeout.Token)));

        Assert.Equal(results[0], results[1]);
        var entries = Directory.GetFileSystemEntries(imagesDirectory).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(new[] { results[0].Digest, ImageManifest.FileName }.Order(), entries);
        Assert.Equal(["image.json", "initrd.img", "vmlinuz"], Directory.GetFiles(Path.Combine(imagesDirectory, results[0].Digest)).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Initramfs_Built_HoldsInitBusyboxConsoleAndModulesInLoadOrder()
    {
        var entries = ReadInitramfs(fixture.Image.InitrdPath).ToDictionary(e => e.Name);

        var init = entries["init"];
        Assert.Equal(0x1EDu, init.Permissions); // 0755
        Assert.StartsWith("#!/bin/busybox sh\n", init.Text);
        Assert.Contains("say \"ready\"", init.Text);
        Assert.Equal(0x1EDu, entries["bin/busybox"].Permissions);
        Assert.Equal("busybox", entries["bin/sh"].Text);
        Assert.Equal((5u, 1u), (entries["dev/console"].RdevMajor, entries["dev/console"].RdevMinor));

        var moduleList = entries[TinyRecipe.ModuleListPath].Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(TinyRecipe.Modules, moduleList.Select(path => Path.GetFileName(path)[..^".ko".Length]));
        var kernelVersion = Path.GetFileName(entries.Keys.Single(k => k.Count(c => c == '/') == 2 && k.StartsWith("lib/modules/", StringComparison.Ordinal)));
        foreach (var module in moduleList)
        {
            var ko = entries[$"lib/modules/{kernelVersion}/{module}"];
            Assert.Equal("\u007fELF", Encoding.ASCII.GetString(ko.Data, 0, 4));
        }
    }

    [Fact]
    public void Initramfs_InitScript_IsTheRecipeFileUnchanged()
    {
        var recipeInit = Path.Combine(RepositoryRoot(), "images", "tiny", "init");

        var packed = ReadInitramfs(fixture.Image.InitrdPath).Single(e => e.Name == "init");

        Assert.Equal(File.ReadAllBytes(recipeInit), packed.Data);
    }

    private static TinyImageBuilder NewBuilder(string imagesDirectory, CountingProcessRunner runner) =>
        // The shared package cache keeps these cold builds from downloading ~28 MB each time.
        new(imagesDirectory, TinyImageFixture.PackageCacheDirectory, runner, systemArchiveDirectory: null);

    private static List<CpioEntry> ReadInitramfs(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gzip.CopyTo(buffer);
        return CpioReader.ReadAll(buffer.ToArray());
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Hangar.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Hangar.slnx not found above the test binaries.");
    }

    /// <summary>
    /// Collects progress lines synchronously (Progress&lt;T&gt; would post them later to the thread pool) and shows
    /// them with their time in the test output.
    /// </summary>
    private sealed class ProgressLines(ITestOutputHelper output) : IProgress<string>
    {
        private readonly List<string> _lines = [];
        private readonly System.Diagnostics.Stopwatch _stopwatch = System.Diagnostics.Stopwatch.StartNew();

        public TimeSpan Elapsed => _stopwatch.Elapsed;

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public void Report(string value)
        {
            lock (_lines)
            {
                _lines.Add(value);
            }

            output.WriteLine($"{_stopwatch.Elapsed.TotalSeconds,6:F2} s  {value}");
        }
    }
}
