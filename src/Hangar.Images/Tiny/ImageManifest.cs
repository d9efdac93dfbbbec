using System.Text.Json;

namespace Hangar.Images.Tiny;

/// <summary>
/// manifest.json at the top of the images directory: which cached digest is the current build of each built-in image.
/// It is only a cache index: a missing or unreadable manifest means "look the packages up again".
/// </summary>
internal sealed record ImageManifest(IReadOnlyDictionary<string, ImageManifestEntry> Images)
{
    public const string FileName = "manifest.json";

    public static ImageManifest Empty { get; } = new(new Dictionary<string, ImageManifestEntry>());

    public static ImageManifest Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, ImagesJsonContext.Default.ImageManifest) ?? Empty;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return Empty;
        }
    }

    public ImageManifest With(string imageName, ImageManifestEntry entry)
    {
        var images = new Dictionary<string, ImageManifestEntry>(Images, StringComparer.Ordinal) { [imageName] = entry };
        return new ImageManifest(images);
    }

    /// <summary>Writes via a temporary file and a rename, so readers never see half a manifest.</summary>
    public void Write(string path) =>
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, ImagesJsonContext.Readable.ImageManifest));
}

/// <param name="Digest">Directory name (sha256) of the current image.</param>
/// <param name="RecipeKey">The <see cref="TinyRecipe.Key"/> it was built with; a different key means rebuild.</param>
/// <param name="Packages">The packages it was built from, for people reading the file.</param>
internal sealed record ImageManifestEntry(string Digest, string RecipeKey, IReadOnlyList<string> Packages);
