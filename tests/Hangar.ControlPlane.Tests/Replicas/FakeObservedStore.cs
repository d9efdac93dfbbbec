using Hangar.State.Replication;

namespace Hangar.ControlPlane.Tests.Replicas;

internal sealed class FakeObservedStore(FakeReplicaNetwork network) : IObservedStore
{
    public Task WriteAsync(ObservedReport report, CancellationToken ct)
    {
        network.Write(report);
        return Task.CompletedTask;
    }

    public Task<ObservedRead> ReadAsync(string agent, long afterSeq, CancellationToken ct) => Task.FromResult(network.Read(agent, afterSeq));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
