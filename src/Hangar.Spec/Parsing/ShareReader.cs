namespace Hangar.Spec.Parsing;

/// <summary>Reads a VM's <c>shares</c>: <c>{data: {source: /srv/data, mountPoint: /mnt/data, readOnly: true}}</c>.</summary>
internal sealed class ShareReader(NodeReader reader)
{
    private const string Expected = "a mapping of share tags to {source: /host/dir, mountPoint: /mnt/dir, readOnly: true}";

    private ErrorCollector Errors => reader.Errors;

    /// <summary>Where each <c>mountPoint</c> was written (the value is the share's tag), for checks against the image.</summary>
    public List<Located<string>> MountPointFields { get; } = [];

    /// <summary>The shares sorted by tag; null when any entry has an error.</summary>
    public ValueList<ShareSpec>? Read(YamlNode node, string path)
    {
        if (reader.Mapping(node, path, Expected) is not { } mapping) return null;
        var before = Errors.Count;
        var shares = new List<ShareSpec>();
        var mountPoints = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (tag, keyNode, value) in KeyedEntries.Read(mapping, path, Errors))
        {
            var entryPath = SpecPath.Field(path, tag);
            if (!SpecPatterns.ShareTagRegex.IsMatch(tag))
                Errors.Add(keyNode, entryPath, $"'{tag}' is not a share tag; use 1–36 letters, digits, '_' and '-', starting with a letter or digit (the guest mounts the share by it)");
            if (reader.Mapping(value, entryPath, "a share: {source: /host/dir, mountPoint: /mnt/dir, readOnly: true}") is not { } entry) continue;
            var fields = new FieldMapping(entry, entryPath, FleetFields.ShareFields, Errors);
            string? source = null;
            if (fields.TryGetRequired(FleetFields.Source, "the absolute path of a directory on the VM's host", Errors, out var sourceNode, out var sourcePath)
                && reader.String(sourceNode, sourcePath, "an absolute path such as /srv/data") is { } text)
            {
                if (SourceError(text) is { } error) Errors.Add(sourceNode, sourcePath, error);
                else source = text.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/";
            }
            string? mountPoint = null;
            if (fields.TryGet(FleetFields.MountPoint, out var mountNode, out var mountPath)
                && reader.String(mountNode, mountPath, "an absolute path in the guest such as /mnt/data") is { } at)
            {
                if (!SpecPatterns.MountPointRegex.IsMatch(at) || at.Split('/').Any(s => s is "." or ".."))
                    Errors.Add(mountNode, mountPath, $"'{at}' is not a mount point; use an absolute path of letters, digits, '.', '_', '+', '@' and '-' such as /mnt/data, not / itself and without . or .. segments");
                else if (mountPoints.TryGetValue(at, out var other))
                    Errors.Add(mountNode, mountPath, $"Share '{other}' is already mounted at {at}; give each share its own mount point");
                else
                {
                    mountPoints[at] = tag;
                    mountPoint = at;
                    MountPointFields.Add(new(tag, mountNode, mountPath));
                }
            }
            var readOnly = false;
            if (fields.TryGet(FleetFields.ReadOnly, out var readOnlyNode, out var readOnlyPath) && reader.Bool(readOnlyNode, readOnlyPath) is { } ro)
                readOnly = ro;
            if (source is not null) shares.Add(new ShareSpec(tag, source, mountPoint, readOnly));
        }
        if (mapping.Entries.Count > SpecLimits.MaxShares)
            Errors.Add(mapping, path, $"{mapping.Entries.Count} shares; a VM may have at most {SpecLimits.MaxShares}");
        return Errors.Count == before ? new ValueList<ShareSpec>(shares.OrderBy(s => s.Tag, StringComparer.Ordinal)) : null;
    }

    /// <summary>Why <paramref name="path"/> cannot be a share's source, or null. virtiofsd takes it in a comma-separated option list.</summary>
    private static string? SourceError(string path)
    {
        if (!path.StartsWith('/')) return $"'{path}' is not an absolute path; a share's source is a directory on the VM's host such as /srv/data";
        if (path.Contains(',')) return $"'{path}' has a ','; virtiofsd takes the directory in a comma-separated option list, so a share's source cannot have one";
        if (path.Any(char.IsControl)) return "The path has a control character";
        if (path.Split('/').Any(s => s is "." or "..")) return $"'{path}' has a . or .. segment; write the directory's own path";
        return null;
    }
}
