using System.Diagnostics;
using System.Threading.Channels;
using Hangar.Client;

namespace Hangar.Bench.Plan;

/// <summary>
/// Follows <c>GET /api/v1/watch</c> through <see cref="HangarClient.WatchAsync"/>, as the CLI does after an apply,
/// and notes when each line arrived (timestamp taken once the line is read and deserialized).
/// </summary>
internal sealed class RolloutWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Channel<(long At, long Generation, string State, string? Reason)> _lines = Channel.CreateUnbounded<(long, long, string, string?)>();
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;

    /// <summary>Lines read so far.</summary>
    public int Lines { get; private set; }

    private RolloutWatch(HangarClient client, CancellationToken ct)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _loop = Task.Run(async () =>
        {
            try
            {
                // As a client of a large fleet does: the changes as they come, without rebuilding the whole status per line.
                await foreach (var status in client.WatchChangesAsync(_stop.Token))
                {
                    var at = Stopwatch.GetTimestamp();
                    Lines++;
                    if (Lines > 1)
                        LargestChangeBytes = Math.Max(LargestChangeBytes, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(status, Hangar.Protocol.HangarJson.Options).Length + 1);
                    _first.TrySetResult();
                    _lines.Writer.TryWrite((at, status.Rollout?.Generation ?? 0, status.Rollout?.State.ToString().ToLowerInvariant() ?? "", status.Rollout?.Reason));
                }
                _lines.Writer.TryComplete(new InvalidOperationException("The watch stream ended."));
            }
            catch (Exception e)
            {
                _first.TrySetException(e);
                _lines.Writer.TryComplete(e);
            }
        });
    }

    /// <summary>Bytes of the largest line after the first (a <c>FleetStatusChange</c>), as re-serialized by the bench.</summary>
    public long LargestChangeBytes { get; private set; }

    /// <summary>Starts watching and returns once the first line (the current status) has arrived.</summary>
    public static async Task<RolloutWatch> StartAsync(HangarClient client, CancellationToken ct)
    {
        var watch = new RolloutWatch(client, ct);
        await watch._first.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        return watch;
    }

    /// <summary>The Stopwatch timestamp of the first line whose rollout is <paramref name="generation"/> and succeeded.</summary>
    public async Task<long> WaitSucceededAsync(long generation, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        while (true)
        {
            var (at, gen, state, reason) = await _lines.Reader.ReadAsync(cts.Token);
            if (gen != generation) continue;
            if (state == "succeeded") return at;
            if (state == "failed") throw new InvalidOperationException($"The rollout of generation {generation} failed: {reason}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _loop; } catch { /* cancelled */ }
        _stop.Dispose();
    }
}
