namespace Hangar.Images.Tiny;

/// <summary>image.json inside an image's directory: what the image was built from, for people and tools reading it.</summary>
internal sealed record ImageInfo(
    string Name,
    string Digest,
    string KernelVersion,
    IReadOnlyList<string> Packages,
    IReadOnlyList<string> Modules,
    string KernelCommandLine,
    string ReadyMarker,
    int RecipeVersion,
    DateTimeOffset BuiltAt)
{
    public const string FileName = "image.json";
}
