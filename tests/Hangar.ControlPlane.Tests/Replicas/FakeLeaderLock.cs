using Hangar.State.Replication;

namespace Hangar.ControlPlane.Tests.Replicas;

internal sealed class FakeLeaderLock(FakeReplicaNetwork network, string replica) : ILeaderLock
{
    public Task<bool> TryAcquireAsync(CancellationToken ct) => Task.FromResult(network.TryAcquire(replica));
    public Task<bool> StillHeldAsync(CancellationToken ct) => Task.FromResult(network.Holder == replica);
    public Task ReleaseAsync() { network.Release(replica); return Task.CompletedTask; }
    public Task<string?> HolderAsync(CancellationToken ct) => Task.FromResult(network.Holder);
    public Task<IReadOnlySet<string>> LiveReplicasAsync(CancellationToken ct) => Task.FromResult(network.Live());
    public ValueTask DisposeAsync() { network.Release(replica); return ValueTask.CompletedTask; }
}
