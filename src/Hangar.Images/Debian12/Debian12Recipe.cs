using System.Reflection;
using System.Text;

namespace Hangar.Images.Debian12;

/// <summary>
/// What goes into the debian-12 image: the suite, the package list and the customize hook (images/debian-12/), the
/// kernel command line, and how it is assembled (<see cref="Version"/>). Their hash, <see cref="Key"/>, names the cached
/// image: the same inputs are never built twice, and any change to them builds a new image.
/// </summary>
/// <remarks>Unlike the tiny image, the key does not pin package versions: a build takes what the mirror has that day,
/// and the manifest (image.json) records what it got. Delete the image's directory to take newer packages.</remarks>
internal static class Debian12Recipe
{
    /// <summary>Bump when the way the image is assembled changes in a way the inputs below do not show.</summary>
    public const int Version = 1;

    public const string Suite = "bookworm";

    /// <summary>The virtual size of the image's disk (its ext4 file system); a VM's <c>disk</c> may make its own larger.</summary>
    public const long DiskBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>Files of the packages that a VM never reads, left out of the image (by dpkg's path-exclude).</summary>
    public static IReadOnlyList<string> ExcludedPaths { get; } =
        ["/usr/share/man/*", "/usr/share/doc/*", "/usr/share/locale/*", "/usr/share/info/*"];

    public static IReadOnlyList<string> Packages => LazyPackages.Value;

    public static byte[] Customize => LazyCustomize.Value;

    /// <summary>sha256 over the version, suite, packages, excluded paths, customize hook, disk size and command line.</summary>
    public static string Key => LazyKey.Value;

    private static readonly Lazy<IReadOnlyList<string>> LazyPackages = new(() =>
        Encoding.UTF8.GetString(Resource("Hangar.Images.Debian12.packages")).Split('\n')
            .Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0).ToArray());

    private static readonly Lazy<byte[]> LazyCustomize = new(() => Resource("Hangar.Images.Debian12.customize"));

    private static readonly Lazy<string> LazyKey = new(() =>
    {
        var text = new StringBuilder()
            .Append("hangar-debian-12 ").Append(Version).Append('\n')
            .Append("suite ").Append(Suite).Append('\n')
            .Append("disk ").Append(DiskBytes).Append('\n')
            .Append("cmdline ").Append(Debian12Image.KernelCommandLine).Append('\n')
            .Append("customize ").Append(FileDigest.Sha256(Customize)).Append('\n');
        foreach (var package in Packages) text.Append("package ").Append(package).Append('\n');
        foreach (var path in ExcludedPaths) text.Append("exclude ").Append(path).Append('\n');
        return FileDigest.Sha256(Encoding.UTF8.GetBytes(text.ToString()));
    });

    private static byte[] Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Resource {name} is missing from Hangar.Images.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
