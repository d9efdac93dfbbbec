namespace Hangar.Images.Debian;

/// <summary>One version of a binary package as apt knows it (from <c>apt-cache show</c>).</summary>
/// <param name="Sha256">sha256 of the .deb file, as published in the signed archive index.</param>
internal sealed record DebianPackage(string Name, string Version, string Architecture, string Sha256)
{
    /// <summary>The file name <c>apt-get download</c> gives the package (an epoch's ':' becomes "%3a").</summary>
    public string FileName => $"{Name}_{Version.Replace(":", "%3a", StringComparison.Ordinal)}_{Architecture}.deb";

    public override string ToString() => $"{Name} {Version}";
}
