using System.Text.Json.Serialization;
using Hangar.Images.Tiny;
using Hangar.Images.Verification;

namespace Hangar.Images;

/// <summary>Source-generated JSON for this assembly's small state files (no reflection cost on the warm path).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageInfo))]
[JsonSerializable(typeof(DigestCacheFile))]
internal sealed partial class ImagesJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Like <see cref="Default"/> but writes '+' and other ASCII as is (Debian versions are full of '+'): these files
    /// are read by people, never embedded in HTML.
    /// </summary>
    /// <remarks>
    /// Created on first use, not in a static initializer: that would run before the generated <see cref="Default"/>
    /// is assigned. A race creates two equal instances, which is harmless.
    /// </remarks>
    public static ImagesJsonContext Readable => s_readable ??=
        new(new System.Text.Json.JsonSerializerOptions(Default.Options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static ImagesJsonContext? s_readable;
}
