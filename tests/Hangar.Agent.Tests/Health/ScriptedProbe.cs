using System.Threading.Channels;
using Hangar.Agent.Health;

namespace Hangar.Agent.Tests.Health;

/// <summary>A probe whose attempts the test answers one by one; each attempt waits for the test's answer.</summary>
internal sealed class ScriptedProbe : IHealthProbe
{
    private readonly Channel<TaskCompletionSource<ProbeResult>> _attempts = Channel.CreateUnbounded<TaskCompletionSource<ProbeResult>>();

    public int Disposed { get; private set; }

    public List<TimeSpan> Timeouts { get; } = [];

    public async Task<ProbeResult> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        lock (Timeouts) Timeouts.Add(timeout);
        var answer = new TaskCompletionSource<ProbeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _attempts.Writer.WriteAsync(answer, cancellationToken);
        return await answer.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Waits for the monitor's next attempt and answers it.</summary>
    public async Task AnswerAsync(bool passed, string detail = "scripted")
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var attempt = await _attempts.Reader.ReadAsync(timeout.Token);
        attempt.SetResult(new ProbeResult(passed, detail));
    }

    public void Dispose() => Disposed++;
}
