namespace Hangar.Images.Tiny;

/// <summary>A file of images/tiny/ (embedded in this assembly) and where it goes in the guest.</summary>
internal sealed record TinyRecipeFile(string ResourceName, string PathInImage, UnixFileMode Mode)
{
    public byte[] ReadContent()
    {
        using var stream = typeof(TinyRecipeFile).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Resource {ResourceName} is missing from {typeof(TinyRecipeFile).Assembly.GetName().Name}.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
