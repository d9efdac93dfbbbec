using Hangar.Client;
using Hangar.Protocol.Api;

namespace Hangar.Bench.Soak;

/// <summary>
/// The latest fleet status from the server's <c>/api/v1/watch</c> stream (a line per change), and waits on it: the
/// bench never polls the server for a VM's phase.
/// </summary>
internal sealed class FleetWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private readonly Lock _gate = new();
    private FleetStatus? _latest;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FleetWatch(HangarClient client) => _reader = Task.Run(() => ReadAsync(client));

    /// <summary>Completes with the first status (the current one included) for which <paramref name="done"/> holds.</summary>
    public async Task<FleetStatus> WaitAsync(Func<FleetStatus, bool> done, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_latest is { } now && done(now)) return now;
                changed = _changed.Task;
            }
            if (_reader.IsCompleted) await _reader; // the stream ended: surface why
            try { await changed.WaitAsync(deadline.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"Timed out after {timeout} waiting for {what}."); }
        }
    }

    private async Task ReadAsync(HangarClient client)
    {
        await foreach (var status in client.WatchAsync(_stop.Token))
        {
            TaskCompletionSource changed;
            lock (_gate)
            {
                _latest = status;
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            changed.SetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        try { await _reader; }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException) { }
    }
}
