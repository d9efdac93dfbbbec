using Hangar.Agent.Vms;
using Hangar.Images.Store;

namespace Hangar.Agent.Images;

/// <summary>
/// Deletes the images of the agent's cache (<c>blobs/sha256/</c>) that nothing on this host uses any more, for
/// <c>hangar gc</c>: an image is used while a desired VM names it or a disk left on this host was made on it (a qcow2
/// overlay reads its base image forever, so a kept <c>disk.genN.qcow2</c> or the disk of a stopped VM keeps its base).
/// Unfinished downloads (<c>.partial/</c>) are left alone: the fetcher resumes them.
/// </summary>
internal static class ImageCacheCollector
{
    /// <summary>Deletes the unused images; returns each one deleted (its path under the agent's home) and its size.</summary>
    public static IReadOnlyList<(string Path, long Bytes)> Collect(AgentOptions options, IEnumerable<string> desiredDigests, Action<string, Exception> notDeleted)
    {
        var store = new ContentStore(options.BlobsDirectory);
        var images = store.List();
        if (images.Count == 0) return [];
        var used = desiredDigests.ToHashSet(StringComparer.Ordinal);
        foreach (var digest in DiskBases(options)) used.Add(digest);
        var deleted = new List<(string, long)>();
        foreach (var image in images.Where(i => !used.Contains(i.Sha256)))
        {
            try
            {
                if (store.Delete(image.Sha256)) deleted.Add((Path.GetRelativePath(options.StateDirectory, image.Path), image.SizeBytes));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                notDeleted(image.Path, e);
            }
        }
        return deleted;
    }

    /// <summary>The images the disks on this host were made on, from their identities (<c>disk.json</c>, <c>disk.genN.json</c>).</summary>
    private static IEnumerable<string> DiskBases(AgentOptions options)
    {
        if (!Directory.Exists(options.VmsDirectory)) yield break;
        foreach (var identity in Directory.EnumerateFiles(options.VmsDirectory, "*.json", SearchOption.AllDirectories))
        {
            if (DiskIdentity.TryRead(identity) is not { } disk) continue;
            if (disk.Source.StartsWith("sha256:", StringComparison.Ordinal)) yield return disk.Source["sha256:".Length..];
        }
    }
}
