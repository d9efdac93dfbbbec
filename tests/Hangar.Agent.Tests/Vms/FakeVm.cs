using Hangar.Agent.Tests.Health;
using Hangar.Agent.Vms;
using Hangar.Qemu;

namespace Hangar.Agent.Tests.Vms;

/// <summary>One VM "process" of <see cref="FakeVmDriver"/>, and the handle to it: the test crashes it or powers it off.</summary>
internal sealed class FakeVm(string name, int pid, ulong startTime, bool paused) : IVmHandle
{
    private readonly TaskCompletionSource<QemuExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stops, _kills, _continues;
    private volatile bool _paused = paused;

    public string Name => name;
    public int Pid => pid;
    public ulong StartTime => startTime;

    /// <summary>When set, it does not answer: recovering it and stopping it fail as a hung QEMU's QMP would.</summary>
    public bool Unresponsive { get; set; }

    /// <summary>The probe of its tcp/http check, once the supervisor asked for one.</summary>
    public ScriptedProbe? Probe { get; set; }

    public int Stops => Volatile.Read(ref _stops);
    public int Kills => Volatile.Read(ref _kills);
    public int Continues => Volatile.Read(ref _continues);
    public bool Paused => _paused;

    public Task<QemuExit> Exited => _exited.Task;

    /// <summary>QEMU dies (killed from outside, a crash).</summary>
    public void Crash() => End(new QemuExit(false, null));

    /// <summary>The guest powers itself off.</summary>
    public void PowerOff() => End(new QemuExit(true, "guest-shutdown"));

    public void End(QemuExit exit) => _exited.TrySetResult(exit);

    public Task<bool> IsRunningAsync(CancellationToken ct) => Unresponsive ? Hung() : Task.FromResult(!_paused);

    public Task ContinueAsync(CancellationToken ct)
    {
        if (Unresponsive) return Hung();
        Interlocked.Increment(ref _continues);
        _paused = false;
        return Task.CompletedTask;
    }

    /// <summary>While set and not completed, a stop waits for it (a guest slow to power off).</summary>
    public TaskCompletionSource? StopGate { get; set; }

    public async Task<QemuStopOutcome> StopAsync(TimeSpan gracefulTimeout, CancellationToken ct)
    {
        Interlocked.Increment(ref _stops);
        if (Unresponsive) throw new QemuException($"Fake VM {name} does not answer");
        if (StopGate is { } gate) await gate.Task.WaitAsync(ct);
        End(new QemuExit(true, "host-qmp-system-powerdown"));
        return QemuStopOutcome.Graceful;
    }

    public Task KillAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _kills);
        Crash();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Task<bool> Hung() => Task.FromException<bool>(new QemuException($"Fake VM {name} does not answer"));
}
