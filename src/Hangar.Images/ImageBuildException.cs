namespace Hangar.Images;

/// <summary>
/// Assembling an image failed because of something outside Hangar: apt, dpkg, the package mirror or the file system.
/// </summary>
public sealed class ImageBuildException : Exception
{
    public ImageBuildException(string message) : base(message) { }

    public ImageBuildException(string message, Exception? innerException) : base(message, innerException) { }
}
