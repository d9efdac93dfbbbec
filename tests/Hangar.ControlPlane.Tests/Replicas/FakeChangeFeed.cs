using Hangar.State.Replication;

namespace Hangar.ControlPlane.Tests.Replicas;

internal sealed class FakeChangeFeed(FakeReplicaNetwork network, string replica) : IChangeFeed
{
    public event Action<string>? Lost { add { } remove { } }

    public Task PublishAsync(StoreChange change, CancellationToken ct)
    {
        network.Publish(change);
        return Task.CompletedTask;
    }

    public async Task ListenAsync(Func<StoreChange, CancellationToken, Task> onChange, CancellationToken ct)
    {
        var channel = network.Listen(replica);
        try
        {
            await onChange(new StoreChange(StoreChangeKind.Reset, replica), ct);
            await foreach (var change in channel.Reader.ReadAllAsync(ct)) await onChange(change, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            network.StopListening(replica);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
