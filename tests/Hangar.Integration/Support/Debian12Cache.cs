using Hangar.Images;

namespace Hangar.Integration.Support;

/// <summary>
/// The debian-12 image, built once per machine into the image cache every <see cref="HangarHome"/> shares (a build
/// takes a minute or two; a test run after the first finds it complete and builds nothing). Tests that boot it call
/// <see cref="EnsureAsync"/> first, so that the build is not counted against a command's or a gate's timeout.
/// </summary>
public static class Debian12Cache
{
    private static readonly Lazy<Task<DiskBootImage>> Build = new(() =>
        new Debian12ImageBuilder(HangarHome.SharedImagesDirectory).EnsureAsync(null, CancellationToken.None));

    public static Task<DiskBootImage> EnsureAsync() => Build.Value;
}
