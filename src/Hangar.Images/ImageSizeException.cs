namespace Hangar.Images;

/// <summary>An image's bytes are not as many as its source said (an upload's length, a download's Content-Length).</summary>
public sealed class ImageSizeException(string sha256, long expectedBytes, long actualBytes)
    : Exception($"Image sha256:{sha256} should have {expectedBytes:N0} bytes but {actualBytes:N0} arrived.")
{
    public string Sha256 { get; } = sha256;
    public long ExpectedBytes { get; } = expectedBytes;
    public long ActualBytes { get; } = actualBytes;
}
