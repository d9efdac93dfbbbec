using Hangar.ControlPlane.Replicas;
using Hangar.State.Replication;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.ControlPlane.Tests.Replicas;

/// <summary>A notice published while the store closes (the server stops) is dropped, not thrown into the stop.</summary>
public sealed class ReplicaLinkPublishTests
{
    private sealed class ClosedFeed : IChangeFeed
    {
        public Task PublishAsync(StoreChange change, CancellationToken ct) => throw new ObjectDisposedException("Npgsql.PoolingDataSource");
        public Task ListenAsync(Func<StoreChange, CancellationToken, Task> onChange, CancellationToken ct) => Task.CompletedTask;
#pragma warning disable CS0067 // never raised: the feed is closed
        public event Action<string>? Lost;
#pragma warning restore CS0067
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Publish_FeedDisposedAsTheServerStops_IsDropped() =>
        await ReplicaLink.Shared("r1", new ClosedFeed(), NullLogger.Instance).PublishAsync(StoreChangeKind.Events);
}
