using Hangar.Protocol.Agent;
using Hangar.Qemu;

namespace Hangar.Agent.Vms;

/// <summary>
/// One running VM, as an <see cref="IVmDriver"/> started or recovered it. Disposing it lets go of the VM without
/// stopping it (a recovered VM keeps running for the next agent).
/// </summary>
public interface IVmHandle : IAsyncDisposable
{
    /// <summary>Completes when the VM's process has ended, saying whether the guest powered off or the process died.</summary>
    Task<QemuExit> Exited { get; }

    /// <summary>Whether the VM runs (false: paused, as after a start or an interrupted adoption).</summary>
    Task<bool> IsRunningAsync(CancellationToken ct);

    /// <summary>Lets a paused VM run.</summary>
    Task ContinueAsync(CancellationToken ct);

    /// <summary>Asks the guest to power off, and ends the process when it has not within <paramref name="gracefulTimeout"/>.</summary>
    Task<QemuStopOutcome> StopAsync(TimeSpan gracefulTimeout, CancellationToken ct);

    /// <summary>Ends the process at once.</summary>
    Task KillAsync(CancellationToken ct);

    /// <summary>What the VM's guest agent last said about the guest; null while none answers (or the driver has none).</summary>
    ObservedGuest? Guest => null;

    /// <summary>The VM's guest agent channel; null when the driver offers none.</summary>
    Guests.GuestAgentLink? GuestAgent => null;

    /// <summary>Starts asking the guest agent, and following the memory balloon, calling <paramref name="changed"/> whenever
    /// <see cref="Guest"/> or <see cref="BalloonBytes"/> changes; until disposed.</summary>
    void WatchGuest(Action changed) { }

    /// <summary>The guest's memory as its balloon leaves it, as last seen; null without a balloon (or before it was read).</summary>
    long? BalloonBytes => null;

    /// <summary>Sets the balloon's target (null: only reads it) and returns the guest's memory as the balloon leaves it now.</summary>
    /// <exception cref="NotSupportedException">The VM has no balloon, or the driver offers none.</exception>
    Task<long> BalloonAsync(long? targetBytes, CancellationToken ct) => throw new NotSupportedException("This VM has no memory balloon.");
}
