using Hangar.State.Replication;

namespace Hangar.ControlPlane.Tests.Replicas;

/// <summary>An <see cref="IReplicaDirectory"/> in memory, shared by the replicas of one test.</summary>
internal sealed class FakeReplicaDirectory : IReplicaDirectory
{
    private readonly Dictionary<string, ReplicaRecord> _replicas = new(StringComparer.Ordinal);
    private readonly List<ImageCopy> _images = [];

    public Task RegisterAsync(ReplicaRecord replica, CancellationToken ct)
    {
        lock (_replicas) _replicas[replica.Id] = replica;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ReplicaRecord>> ListAsync(CancellationToken ct)
    {
        lock (_replicas) return Task.FromResult<IReadOnlyList<ReplicaRecord>>(_replicas.Values.ToArray());
    }

    public Task ReplaceImagesAsync(string replica, IReadOnlyList<ImageCopy> images, CancellationToken ct)
    {
        lock (_images)
        {
            _images.RemoveAll(i => i.Replica == replica);
            _images.AddRange(images);
        }
        return Task.CompletedTask;
    }

    public Task AddImageAsync(ImageCopy copy, CancellationToken ct)
    {
        lock (_images) if (!_images.Contains(copy)) _images.Add(copy);
        return Task.CompletedTask;
    }

    public Task RemoveImagesAsync(string replica, IReadOnlyList<string> sha256, CancellationToken ct)
    {
        lock (_images) _images.RemoveAll(i => i.Replica == replica && sha256.Contains(i.Sha256));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ImageCopy>> ListImagesAsync(CancellationToken ct)
    {
        lock (_images) return Task.FromResult<IReadOnlyList<ImageCopy>>(_images.ToArray());
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
