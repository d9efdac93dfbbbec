namespace Hangar.Images.Tests;

/// <summary>
/// Builds the tiny image once per test run into a stable directory under /tmp, so runs after the first reuse it
/// (and the downloaded .deb files) and start in milliseconds.
/// </summary>
public sealed class TinyImageFixture : IAsyncLifetime
{
    public static readonly string Root = Path.Combine(Path.GetTempPath(), "hangar-test-images");

    public static string ImagesDirectory => Path.Combine(Root, "images");

    public static string PackageCacheDirectory => Path.Combine(Root, "debs");

    public KernelImage Image { get; private set; } = null!;

    /// <summary>How long the fixture's EnsureAsync took: the first call in this process, cold or warm.</summary>
    public TimeSpan EnsureElapsed { get; private set; }

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        Image = await new TinyImageBuilder(ImagesDirectory, PackageCacheDirectory).EnsureAsync(null, timeout.Token);
        EnsureElapsed = stopwatch.Elapsed;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class TinyImageCollection : ICollectionFixture<TinyImageFixture>
{
    public const string Name = "tiny image";
}
