using System.Threading.Channels;
using Hangar.ControlPlane.Replicas;
using Hangar.State;
using Hangar.State.Replication;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// The fleet's event journal (<c>GET /api/v1/events</c>): every event is logged at once and appended to the store by
/// one background writer, in order, so recording an event never waits for the database. The writer takes what has
/// queued up to <see cref="MaxBatch"/> events and writes them in one transaction: a report of 10,000 new VMs is 20,000
/// events, and one transaction each held the store for a disk sync each. After each batch it wakes the followers of
/// the events (<see cref="Feed"/>) and, with replicas, tells the others (an <c>events</c> notice), whose followers read
/// the store in turn.
/// </summary>
internal sealed partial class EventJournal(IStateStore store, ILogger logger, ReplicaLink? replicas = null) : IAsyncDisposable
{
    private readonly Channel<EventRecord> _events = Channel.CreateUnbounded<EventRecord>(new() { SingleReader = true });
    private Task? _writer;

    /// <summary>The most events written in one transaction.</summary>
    public const int MaxBatch = 1000;

    /// <summary>Starts the writer; events recorded before are kept and written then.</summary>
    public void Start() => _writer = Task.Run(WriteAsync, CancellationToken.None);

    /// <summary>Wakes the followers of the events when a batch is in the store.</summary>
    public EventFeed Feed { get; } = new();

    /// <param name="agent">The agent the event is about (for a VM's event, the agent that reported it); null for none.</param>
    public void Record(string kind, string? vm, string message, string? agent = null)
    {
        Log.Event(logger, kind, vm ?? "-", message);
        _events.Writer.TryWrite(new EventRecord(0, DateTimeOffset.UtcNow, kind, vm, message, agent));
    }

    private async Task WriteAsync()
    {
        var batch = new List<EventRecord>(MaxBatch);
        while (await _events.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _events.Reader.TryRead(out var record)) batch.Add(record);
            try { await store.AppendEventsAsync(batch, CancellationToken.None); }
            catch (StateStoreException e)
            {
                Log.NotRecorded(logger, e);
                continue;
            }
            Feed.Signal();
            if (replicas is not null) await replicas.PublishAsync(StoreChangeKind.Events);
        }
    }

    /// <summary>Writes what is queued and stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        if (_writer is not null) await _writer;
    }
}
