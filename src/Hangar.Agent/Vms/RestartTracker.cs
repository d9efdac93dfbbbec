using Hangar.Qemu;
using Hangar.Spec;

namespace Hangar.Agent.Vms;

/// <summary>
/// Whether and when one VM starts again after it exited, failed to start or was stopped for its health, in the
/// spirit of Nomad's restart tracker: the restart policy says whether, the <see cref="Backoff"/> says when (the
/// failures in a row count up, and start again after a run of <see cref="Backoff.ResetAfter"/>). A restart request
/// starts over: at once, with a fresh count.
/// <code>
///  exit ──policy allows──► NotBefore = now + delay(n)  ──time passes──► MayStart
///    └────policy forbids──► HeldStopped ──restart request──► MayStart
/// </code>
/// Used by the <see cref="VmSupervisor"/>'s loop only (not thread-safe).
/// </summary>
public sealed class RestartTracker(Backoff backoff, TimeProvider time)
{
    private readonly Random _random = new();
    private int _failuresInRow;

    /// <summary>When the next start may happen; null: whenever the VM should run.</summary>
    public DateTimeOffset? NotBefore { get; private set; }

    /// <summary>The VM exited on its own while it should run and its policy said stay stopped, until the next restart request.</summary>
    public bool HeldStopped { get; private set; }

    /// <summary>Whether the backoff allows a start now (a held VM is not started either way: see <see cref="HeldStopped"/>).</summary>
    public bool BackoffOver => NotBefore is not { } until || until <= time.GetUtcNow();

    /// <summary>Whether <paramref name="policy"/> restarts a VM that ended as <paramref name="exit"/> says.</summary>
    public static bool PolicyRestarts(RestartPolicy policy, QemuExit exit) => policy switch
    {
        RestartPolicy.Always => true,
        RestartPolicy.OnFailure => !exit.GuestShutdown,
        _ => false,
    };

    /// <summary>
    /// The VM exited on its own after running for <paramref name="ranFor"/>: returns the delay before it starts
    /// again, or null when it stays stopped (the policy forbids a restart, or it should not run anyway).
    /// </summary>
    public TimeSpan? Exited(RestartPolicy policy, QemuExit exit, bool shouldRun, TimeSpan ranFor)
    {
        if (!PolicyRestarts(policy, exit) || !shouldRun)
        {
            HeldStopped = shouldRun;
            return null;
        }
        return Stopped(ranFor);
    }

    /// <summary>
    /// The VM was stopped to be restarted (its health check failed) after running for <paramref name="ranFor"/>:
    /// returns the delay before it starts again. The same count as for exits: a VM that keeps failing its check
    /// backs off as one that keeps crashing.
    /// </summary>
    public TimeSpan Stopped(TimeSpan ranFor)
    {
        if (backoff.ShouldReset(ranFor)) _failuresInRow = 0;
        return Failed();
    }

    /// <summary>A start failed: returns the delay before the next attempt.</summary>
    public TimeSpan Failed()
    {
        _failuresInRow++;
        var delay = backoff.DelayFor(_failuresInRow, _random);
        NotBefore = time.GetUtcNow() + delay;
        return delay;
    }

    /// <summary>A restart (or start) was requested: the VM may start at once, with a fresh count.</summary>
    public void RestartRequested()
    {
        HeldStopped = false;
        NotBefore = null;
        _failuresInRow = 0;
    }

    /// <summary>The VM is not to run now: no start is pending (the count stays, and so does <see cref="HeldStopped"/>).</summary>
    public void Cancel() => NotBefore = null;
}
