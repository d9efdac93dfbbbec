namespace Hangar.Spec.Parsing;

/// <summary>Reads one entry of the <c>images</c> mapping.</summary>
internal sealed class ImageReader(NodeReader reader, string baseDirectory)
{
    private ErrorCollector Errors => reader.Errors;

    /// <summary>The image, or null when it has errors (they are reported).</summary>
    public ImageSpec? Read(string name, YamlNode value, string path)
    {
        var before = Errors.Count;
        var mapping = reader.Mapping(value, path, "an image (a mapping with path, sha256, and optionally format and minMemory)");
        if (mapping is null) return null;
        var fields = new FieldMapping(mapping, path, FleetFields.ImageFields, Errors);

        string? file = null, sha256 = null;
        ByteSize? minMemory = null;
        var format = SpecDefaults.ImageFormat;
        if (fields.TryGetRequired(FleetFields.Path, "the image file, absolute or relative to the fleet file",
                Errors, out var node, out var fieldPath)
            && reader.String(node, fieldPath, "a file path") is { } text)
        {
            if (text.Contains('\0'))
                Errors.Add(node, fieldPath, "The path contains a NUL character");
            else if (!File.Exists(file = System.IO.Path.GetFullPath(text, baseDirectory)))
                Errors.Add(node, fieldPath, $"The image file '{file}' does not exist");
        }
        if (fields.TryGetRequired(FleetFields.Sha256, "the file's SHA-256 digest, 64 hex digits",
                Errors, out node, out fieldPath)
            && reader.String(node, fieldPath, "a SHA-256 digest (64 hex digits)") is { } digest)
        {
            if (SpecPatterns.Sha256Regex.IsMatch(digest)) sha256 = digest.ToLowerInvariant();
            else Errors.Add(node, fieldPath, $"'{digest}' is not a SHA-256 digest; write its 64 hex digits");
        }
        if (fields.TryGet(FleetFields.Format, out node, out fieldPath)
            && reader.Keyword(node, fieldPath, SpecKeywords.Format) is { } parsed)
            format = parsed;
        if (fields.TryGet(FleetFields.MinMemory, out node, out fieldPath))
            minMemory = reader.Size(node, fieldPath, SpecLimits.MinMemory);

        return Errors.Count == before && file is not null && sha256 is not null
            ? new ImageSpec(name, file, sha256, format, minMemory)
            : null;
    }
}
