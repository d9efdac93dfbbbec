using Hangar.Spec;

namespace Hangar.ControlPlane.Images;

/// <summary>A fleet names file images that the control plane's image store does not have; nothing was applied.</summary>
public sealed class ImageMissingException(IReadOnlyList<ImageSpec> missing)
    : Exception(ImageCatalog.MissingMessage(missing))
{
    public IReadOnlyList<ImageSpec> Missing { get; } = missing;
}
