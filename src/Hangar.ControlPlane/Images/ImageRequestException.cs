namespace Hangar.ControlPlane.Images;

/// <summary>A request about an image that cannot be answered: a digest that is not one (400), or one the store lacks (404).</summary>
public sealed class ImageRequestException(ImageRequestError error, string message) : Exception(message)
{
    public ImageRequestError Error { get; } = error;
}

public enum ImageRequestError { Invalid, NotFound }
