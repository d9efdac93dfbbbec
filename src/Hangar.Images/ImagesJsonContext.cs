using System.Text.Json.Serialization;
using Hangar.Images.Tiny;
using Hangar.Images.Verification;

namespace Hangar.Images;

/// <summary>Source-generated JSON for this assembly's small state files (no reflection cost on the warm path).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageInfo))]
[JsonSerializable(typeof(DigestCacheFile))]
internal sealed partial class ImagesJsonContext : JsonSerializerContext;
