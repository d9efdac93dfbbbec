using System.Collections.Concurrent;
using Hangar.Images.Store;
using Hangar.State;
using Hangar.State.Replication;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

/// <summary>
/// The image stores of all replicas as one: each replica keeps its own directory (<see cref="ContentStore"/>) and records
/// in the store which digests it holds (<see cref="IReplicaDirectory"/>, table <c>image_copies</c>). An image held by
/// another live replica counts as stored (an apply through any replica accepts it, <c>hangar apply</c> does not upload it
/// again); when an agent asks this replica for a digest it lacks, it fetches it from a replica that holds it, once per
/// digest, hashing as it streams into its own store (<see cref="ContentStore.PutAsync"/> keeps nothing with another
/// digest), then records that it holds it too.
/// <code>
///  CLI ──PUT image D──► replica B: store + row (D, B)
///  agent of A ──GET /agent/images/sha256/D──► replica A: not here ──GET /replica/images/sha256/D (B's secret)──► B
///                                             ◄── streamed, verified into A's store, row (D, A) ──┘
/// </code>
/// </summary>
internal sealed partial class ReplicaImages(ReplicaLink link, ReplicaPeers peers, ContentStore store, ILogger logger)
{
    /// <summary>The route another replica fetches a digest at.</summary>
    public const string Path = "/replica/images/sha256";

    private volatile IReadOnlyList<ImageCopy> _copies = [];
    private readonly ConcurrentDictionary<string, Task<StoredImage>> _pulls = new(StringComparer.Ordinal);

    /// <summary>Records what this replica's store holds (it may have been collected or filled while it was stopped), then reads the others'.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await peers.Directory.ReplaceImagesAsync(link.Id, store.List().Select(i => new ImageCopy(i.Sha256, link.Id, i.SizeBytes)).ToArray(), ct);
        await RefreshAsync(ct);
    }

    /// <summary>Reads which replica holds which image (one small table: a fleet has few images).</summary>
    public async Task RefreshAsync(CancellationToken ct) => _copies = await peers.Directory.ListImagesAsync(ct);

    /// <summary>The size of <paramref name="sha256"/> when another live replica holds it; null otherwise.</summary>
    public long? HeldElsewhere(string sha256) =>
        _copies.FirstOrDefault(c => c.Sha256 == sha256 && c.Replica != link.Id && link.IsLive(c.Replica))?.SizeBytes;

    /// <summary>Whether another replica, alive or not as last read, is recorded to hold <paramref name="sha256"/>: worth
    /// asking (a replica that started a moment ago is not in the live set yet).</summary>
    public bool RecordedElsewhere(string sha256) => _copies.Any(c => c.Sha256 == sha256 && c.Replica != link.Id);

    /// <summary>Records that this replica's store now holds <paramref name="image"/>.</summary>
    public async Task StoredAsync(StoredImage image, CancellationToken ct)
    {
        await peers.Directory.AddImageAsync(new ImageCopy(image.Sha256, link.Id, image.SizeBytes), ct);
        await RefreshAsync(ct);
    }

    /// <summary>Records that this replica's store no longer holds these digests (<c>hangar gc</c>).</summary>
    public async Task ForgetAsync(IReadOnlyList<string> sha256, CancellationToken ct)
    {
        if (sha256.Count == 0) return;
        await peers.Directory.RemoveImagesAsync(link.Id, sha256, ct);
        await RefreshAsync(ct);
    }

    /// <summary>
    /// <paramref name="sha256"/> in this replica's store, fetched first from a live replica that holds it. One fetch per
    /// digest however many agents ask; it runs to its end even when the asker stops waiting.
    /// </summary>
    /// <exception cref="ImageUnavailableException">No live replica holds it, or none that does could give it.</exception>
    public async Task<StoredImage> EnsureHereAsync(string sha256, CancellationToken ct)
    {
        if (store.Find(sha256) is { } here) return here;
        var pull = _pulls.GetOrAdd(sha256, digest => Task.Run(async () =>
        {
            try { return await PullAsync(digest); }
            finally { _pulls.TryRemove(digest, out _); }
        }));
        return await pull.WaitAsync(ct);
    }

    private async Task<StoredImage> PullAsync(string sha256)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromHours(1));
        var ct = deadline.Token;
        await RefreshAsync(ct);
        // Live replicas first; one not seen alive yet is asked too (it may have started a moment ago).
        var holders = _copies.Where(c => c.Sha256 == sha256 && c.Replica != link.Id).OrderByDescending(c => link.IsLive(c.Replica)).ToArray();
        if (holders.Length == 0)
            throw new ImageUnavailableException($"No replica holds image sha256:{sha256} (a replica that held it is gone, or it was collected); upload it again with 'hangar apply'.");
        var failures = new List<string>();
        foreach (var holder in holders)
        {
            try
            {
                var peer = await peers.FindAsync(holder.Replica, ct) ?? throw new InvalidOperationException("it has not recorded its address");
                using var request = peers.Request(HttpMethod.Get, peer, $"{Path}/{sha256}");
                using var response = await peers.ClientFor(peer).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"it answered {(int)response.StatusCode} {response.ReasonPhrase}");
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                var stored = await store.PutAsync(sha256, body, holder.SizeBytes, null, ct);
                Log.Fetched(logger, sha256, holder.Replica, stored.SizeBytes);
                await StoredAsync(stored, ct);
                return stored;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or StateStoreException
                or Hangar.Images.ImageVerificationException or Hangar.Images.ImageSizeException or OperationCanceledException)
            {
                var why = $"replica {holder.Replica}: {ReplicaPeers.Why(e)}";
                Log.FetchFailed(logger, sha256, why);
                failures.Add(why);
            }
        }
        throw new ImageUnavailableException($"Image sha256:{sha256} could not be fetched from the replicas that hold it ({string.Join("; ", failures)}).");
    }
}
