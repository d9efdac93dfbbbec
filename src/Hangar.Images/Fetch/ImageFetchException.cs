namespace Hangar.Images.Fetch;

/// <summary>An image could not be downloaded (the server refused it, or the connection failed and could not be resumed).</summary>
public sealed class ImageFetchException : Exception
{
    public ImageFetchException(string message) : base(message) { }

    public ImageFetchException(string message, Exception inner) : base(message, inner) { }
}
