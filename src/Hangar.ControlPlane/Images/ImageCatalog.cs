using Hangar.ControlPlane.Fleet;
using Hangar.Images.Store;
using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.ControlPlane.Images;

/// <summary>
/// The control plane's images: its content-addressed store (<see cref="ContentStore"/>, file images the CLI uploaded)
/// seen against the current generation (which names use which digest, which VMs boot it, which agents may fetch it).
/// With replicas, an image another live replica holds counts as stored (<see cref="Replicas.ReplicaImages"/>).
/// </summary>
internal sealed class ImageCatalog(FleetState state, ContentStore store, Replicas.ReplicaImages? replicas = null)
{
    public ContentStore Store => store;

    /// <summary>The other replicas' image stores; null for a control plane alone.</summary>
    public Replicas.ReplicaImages? Replicas => replicas;

    /// <summary>Reads again which replica holds which image (nothing to do alone).</summary>
    public Task RefreshAsync(CancellationToken ct) => replicas?.RefreshAsync(ct) ?? Task.CompletedTask;

    /// <summary>The image with this digest in this control plane's own store, fetched from another replica when only
    /// that one holds it; null when none has it.</summary>
    /// <exception cref="Replicas.ImageUnavailableException">Another replica holds it and could not give it.</exception>
    public async Task<StoredImage?> FindHereAsync(string sha256, CancellationToken ct)
    {
        if (store.Find(sha256) is { } here) return here;
        if (replicas is null) return null;
        await replicas.RefreshAsync(ct);
        return replicas.RecordedElsewhere(sha256) ? await replicas.EnsureHereAsync(sha256, ct) : null;
    }

    private long? StoredSize(string sha256) => store.Find(sha256)?.SizeBytes ?? replicas?.HeldElsewhere(sha256);

    /// <summary>The file images of <paramref name="spec"/> that the store does not have (URL images are fetched by agents).</summary>
    public IReadOnlyList<ImageSpec> Missing(FleetSpec spec) =>
        spec.Images.Where(i => i.Url is null && StoredSize(i.Sha256) is null).ToArray();

    /// <summary>Refuses a fleet whose file images are not all stored.</summary>
    /// <exception cref="ImageMissingException">Some are not.</exception>
    public void EnsureStored(FleetSpec spec)
    {
        if (Missing(spec) is { Count: > 0 } missing) throw new ImageMissingException(missing);
    }

    public static string MissingMessage(IReadOnlyList<ImageSpec> missing) =>
        "The server's image store does not have " + string.Join(", ", missing.Select(i => $"image {i.Name} (sha256:{i.Sha256}, from {i.Source})"))
        + "; 'hangar apply' and 'hangar plan' upload file images the server lacks, or upload with PUT /api/v1/images/sha256/DIGEST.";

    /// <summary>The stored size of a digest, for the desired state; null when it is not stored.</summary>
    public long? SizeOf(string sha256) => StoredSize(sha256);

    /// <summary>Every stored image and every image the current generation declares.</summary>
    public IReadOnlyList<ImageInfo> List()
    {
        FleetSpec spec;
        lock (state.Gate) spec = state.Spec;
        var stored = store.List().ToDictionary(i => i.Sha256, StringComparer.Ordinal);
        var digests = stored.Keys.Concat(spec.Images.Select(i => i.Sha256)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return digests.Select(d => Describe(d, spec, stored.GetValueOrDefault(d)?.SizeBytes ?? replicas?.HeldElsewhere(d))).ToArray();
    }

    /// <summary>One digest, when it is stored or declared; null otherwise.</summary>
    public ImageInfo? Find(string sha256)
    {
        FleetSpec spec;
        lock (state.Gate) spec = state.Spec;
        var stored = StoredSize(sha256);
        return stored is null && spec.Images.All(i => i.Sha256 != sha256) ? null : Describe(sha256, spec, stored);
    }

    /// <summary>Whether a VM placed on <paramref name="agent"/> in the current generation boots the image with this digest.</summary>
    public bool IsUsedBy(string agent, string sha256)
    {
        lock (state.Gate)
        {
            var names = state.Spec.Images.Where(i => i.Sha256 == sha256).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            return state.Spec.Vms.Any(vm => names.Contains(vm.Image) && state.Placement.GetValueOrDefault(vm.Name) == agent);
        }
    }

    /// <summary>Deletes the images of this control plane's own store that the current generation does not name; returns
    /// them with the bytes freed. (Each replica collects its own store: <c>hangar gc</c> reaches every replica.)</summary>
    public (IReadOnlyList<string> Deleted, long Bytes) CollectUnused()
    {
        HashSet<string> used;
        lock (state.Gate) used = state.Spec.Images.Select(i => i.Sha256).ToHashSet(StringComparer.Ordinal);
        var deleted = new List<string>();
        long bytes = 0;
        foreach (var image in store.List().Where(i => !used.Contains(i.Sha256)))
        {
            if (!store.Delete(image.Sha256)) continue;
            deleted.Add($"sha256:{image.Sha256}");
            bytes += image.SizeBytes;
        }
        return (deleted, bytes);
    }

    private static ImageInfo Describe(string sha256, FleetSpec spec, long? storedBytes)
    {
        var declared = spec.Images.Where(i => i.Sha256 == sha256).ToArray();
        var names = declared.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var vms = spec.Vms.Where(vm => names.Contains(vm.Image)).Select(vm => vm.Name).ToArray();
        return new ImageInfo(sha256, storedBytes, storedBytes is not null, declared.Select(i => i.Url).FirstOrDefault(u => u is not null),
            names.Order(StringComparer.Ordinal).ToArray(), vms);
    }
}
