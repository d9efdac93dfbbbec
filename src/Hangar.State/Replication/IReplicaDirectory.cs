namespace Hangar.State.Replication;

/// <summary>
/// Where the replicas of one store are (<see cref="ReplicaRecord"/>) and which image each holds (<see cref="ImageCopy"/>),
/// so that one replica can forward a request to another (a VM's console on an agent connected elsewhere, <c>hangar
/// gc</c>) and fetch an image it lacks from one that has it. PostgreSQL only.
/// </summary>
public interface IReplicaDirectory : IAsyncDisposable
{
    /// <summary>Writes (or replaces) the row of <paramref name="replica"/>.</summary>
    /// <exception cref="StateStoreException">The database cannot be reached.</exception>
    Task RegisterAsync(ReplicaRecord replica, CancellationToken ct);

    /// <summary>Every replica that ever registered (alive or not: liveness is the leader lock's business).</summary>
    Task<IReadOnlyList<ReplicaRecord>> ListAsync(CancellationToken ct);

    /// <summary>Replaces what <paramref name="replica"/> is recorded to hold by <paramref name="images"/> (at its start).</summary>
    Task ReplaceImagesAsync(string replica, IReadOnlyList<ImageCopy> images, CancellationToken ct);

    /// <summary>Records that <paramref name="copy"/>'s replica holds its image.</summary>
    Task AddImageAsync(ImageCopy copy, CancellationToken ct);

    /// <summary>Records that <paramref name="replica"/> no longer holds these digests.</summary>
    Task RemoveImagesAsync(string replica, IReadOnlyList<string> sha256, CancellationToken ct);

    /// <summary>Every image copy of every replica.</summary>
    Task<IReadOnlyList<ImageCopy>> ListImagesAsync(CancellationToken ct);
}
