namespace Hangar.Spec.Parsing;

/// <summary>Reads one entry of the <c>images</c> mapping: exactly one of <c>path</c> and <c>url</c>, and a sha256.</summary>
internal sealed class ImageReader(NodeReader reader, string baseDirectory, ImageFileCheck imageFiles)
{
    private ErrorCollector Errors => reader.Errors;

    /// <summary>The image, or null when it has errors (they are reported).</summary>
    public ImageSpec? Read(string name, YamlNode value, string path)
    {
        var before = Errors.Count;
        var mapping = reader.Mapping(value, path, "an image (a mapping with path or url, sha256, and optionally format and minMemory)");
        if (mapping is null) return null;
        var fields = new FieldMapping(mapping, path, FleetFields.ImageFields, Errors);

        string? file = null, url = null, sha256 = null;
        ByteSize? minMemory = null;
        var format = SpecDefaults.ImageFormat;
        var hasPath = fields.TryGet(FleetFields.Path, out var pathNode, out var pathField);
        var hasUrl = fields.TryGet(FleetFields.Url, out var urlNode, out var urlField);
        if (hasPath && hasUrl)
            Errors.Add(urlNode, urlField, "An image has either a 'path' or a 'url', not both; remove one");
        else if (!hasPath && !hasUrl)
            Errors.Add(mapping, path, "The image needs a 'path' (a file on this machine, uploaded to the server) or a 'url' (downloaded by each agent)");
        if (hasPath && reader.String(pathNode, pathField, "a file path") is { } text)
        {
            if (text.Contains('\0'))
                Errors.Add(pathNode, pathField, "The path contains a NUL character");
            else
            {
                file = System.IO.Path.GetFullPath(text, baseDirectory);
                if (imageFiles == ImageFileCheck.MustExist && !File.Exists(file))
                    Errors.Add(pathNode, pathField, $"The image file '{file}' does not exist");
            }
        }
        if (hasUrl && reader.String(urlNode, urlField, "an http or https URL") is { } address)
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0 && uri.UserInfo.Length == 0)
                url = uri.AbsoluteUri;
            else
                Errors.Add(urlNode, urlField, $"'{address}' is not an http or https URL (like https://example.org/disk.qcow2, with no user or password in it)");
        }
        if (fields.TryGetRequired(FleetFields.Sha256, "the image's SHA-256 digest, 64 hex digits",
                Errors, out var node, out var fieldPath)
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

        return Errors.Count == before && (file ?? url) is not null && sha256 is not null
            ? new ImageSpec(name, file, sha256, format, minMemory, url)
            : null;
    }
}
