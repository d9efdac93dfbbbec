using Hangar.Agent.Tests.Health;
using Hangar.Agent.Vms;
using Hangar.Protocol.Agent;
using Hangar.Spec;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Agent.Tests.Vms;

/// <summary>
/// One <see cref="VmSupervisor"/> on a <see cref="FakeVmDriver"/> and a fake clock, in a temporary directory. Tests
/// wait on the supervisor's change callback (never a fixed sleep) and keep every snapshot it was called with.
/// </summary>
internal sealed class SupervisorHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    private readonly string _home = Path.Combine(Path.GetTempPath(), "hangar-agent-tests-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly SemaphoreSlim _changes = new(0);
    private readonly List<ObservedVm> _history = [];
    private VmSupervisor? _supervisor;
    private int _blockArmed;
    private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _unblocked = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="backoff">Without jitter by default, so that a delay is exact.</param>
    public SupervisorHarness(Backoff? backoff = null)
    {
        Options = new AgentOptions("test", Path.Combine(_home, "state"), Path.Combine(_home, "run"), AcceleratorSetting.Tcg,
            TimeSpan.FromSeconds(30), backoff ?? new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), 0, TimeSpan.FromMinutes(2)))
        {
            Time = Time,
        };
        Driver = new FakeVmDriver(Options);
    }

    public TimerCountingTime Time { get; } = new(Start);
    public AgentOptions Options { get; }
    public FakeVmDriver Driver { get; }
    public VmSupervisor Supervisor => _supervisor ?? throw new InvalidOperationException("Not started");

    /// <summary>Every snapshot taken when the supervisor said something changed, in order.</summary>
    public IReadOnlyList<ObservedVm> History { get { lock (_history) return [.. _history]; } }

    public static VmSpec TestVm(RestartPolicy restart = RestartPolicy.Always, HealthCheckSpec? health = null, string name = "web") =>
        new(name, "tiny", 1, ByteSize.FromMiB(128), null, null, new ValueList<PortForward>([new PortForward(18080, 80, PortProtocol.Tcp)]),
            true, restart, health);

    public static HealthCheckSpec TcpCheck(bool restart, int failures = 1) =>
        new(null, 80, TimeSpan.FromSeconds(60)) { Interval = TimeSpan.FromSeconds(10), Failures = failures, Restart = restart };

    public VmSupervisor StartSupervisor(VmSpec spec, bool running = true, long restartNonce = 0)
    {
        _supervisor = new VmSupervisor(spec.Name, new DesiredVm(spec, null, running, restartNonce), 1, 1, Options, Driver, OnChanged,
            NullLogger.Instance);
        return _supervisor;
    }

    /// <summary>
    /// The next change callback (once, on whichever thread makes it) blocks until <see cref="Unblock"/>; the task
    /// completes when it blocks. This holds the supervisor's loop still while the test lines up events behind it.
    /// </summary>
    public Task BlockNextChange()
    {
        Interlocked.Exchange(ref _blockArmed, 1);
        return _blocked.Task;
    }

    public void Unblock() => _unblocked.TrySetResult();

    private void OnChanged()
    {
        if (_supervisor is { } supervisor) lock (_history) _history.Add(supervisor.Snapshot());
        _changes.Release();
        if (Interlocked.Exchange(ref _blockArmed, 0) == 1)
        {
            _blocked.TrySetResult();
            _unblocked.Task.Wait(WaitLimit);
        }
    }

    /// <summary>Waits until a snapshot satisfies <paramref name="condition"/>, woken by the change callback.</summary>
    public async Task<ObservedVm> WaitForAsync(Func<ObservedVm, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            var snapshot = Supervisor.Snapshot();
            if (condition(snapshot)) return snapshot;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _changes.WaitAsync(left))
                throw new TimeoutException($"Not {what} within {WaitLimit.TotalSeconds}s; last seen {snapshot.Phase} ({snapshot.Detail})");
        }
    }

    public Task<ObservedVm> WaitForPhaseAsync(VmPhase phase) => WaitForAsync(s => s.Phase == phase, phase.ToString());

    /// <summary>Waits until the VM runs the <paramref name="count"/>th VM the driver started, and returns that one.</summary>
    public async Task<FakeVm> WaitForStartAsync(int count)
    {
        await WaitForAsync(s => s.Phase == VmPhase.Running && Driver.Started.Count >= count && s.Pid == Driver.Started[count - 1].Pid,
            $"running start #{count}");
        return Driver.Started[count - 1];
    }

    /// <summary>
    /// Runs <paramref name="act"/>, waits until the code under test started a wait of <paramref name="by"/> after it
    /// (its backoff, or the health monitor's interval), then advances the clock by that much.
    /// </summary>
    public async Task AdvanceAfterAsync(Func<Task> act, TimeSpan by)
    {
        var timers = Time.TimersCreated;
        await act();
        await Time.WaitForTimerAsync(timers, by);
        Time.Advance(by);
    }

    public void Update(VmSpec spec, long revision, bool running = true, long restartNonce = 0, long generation = 1) =>
        Supervisor.Update(new DesiredVm(spec, null, running, restartNonce), generation, revision, purge: false);

    public async ValueTask DisposeAsync()
    {
        Unblock();
        if (_supervisor is { } supervisor) await supervisor.DisposeAsync();
        try { Directory.Delete(_home, recursive: true); }
        catch (IOException) { }
    }
}
