namespace Hangar.Images;

/// <summary>A disk image's content does not have the sha256 the fleet file expects.</summary>
public sealed class ImageVerificationException : Exception
{
    public ImageVerificationException(string path, string expectedSha256, string actualSha256)
        : base($"Image '{path}' has sha256 {actualSha256}, but the fleet file expects {expectedSha256}.")
    {
        Path = path;
        ExpectedSha256 = expectedSha256;
        ActualSha256 = actualSha256;
    }

    public string Path { get; }

    public string ExpectedSha256 { get; }

    public string ActualSha256 { get; }
}
