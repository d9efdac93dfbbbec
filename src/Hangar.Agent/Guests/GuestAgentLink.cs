using Hangar.Protocol.Agent;
using Hangar.Qemu;

namespace Hangar.Agent.Guests;

/// <summary>
/// The guest agent (qemu-ga) of one running VM, over its <c>org.qemu.guest_agent.0</c> channel: asked what the guest
/// is (<see cref="Guest"/>, refreshed by <see cref="WatchAsync"/>), asked to power off, asked to run a command. One
/// session at a time, since QEMU serves one client on the channel's socket.
/// </summary>
public sealed class GuestAgentLink(string socketPath, TimeProvider time)
{
    /// <summary>How often a running VM's guest agent is asked again (the guest's addresses change with DHCP).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _oneSession = new(1, 1);
    private volatile ObservedGuest? _guest;

    /// <summary>What the guest agent said when last asked; null while none answers.</summary>
    public ObservedGuest? Guest => _guest;

    /// <summary>Asks the guest agent what the guest is, now and every <see cref="PollInterval"/>, until <paramref name="ct"/> ends;
    /// calls <paramref name="changed"/> whenever <see cref="Guest"/> changes.</summary>
    public async Task WatchAsync(Action changed, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            ObservedGuest? guest;
            try
            {
                guest = await WithSessionAsync(async client =>
                {
                    var info = await client.GetInfoAsync(CommandTimeout, ct).ConfigureAwait(false);
                    return new ObservedGuest(info.OsName, info.HostName, info.Addresses);
                }, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is GuestAgentException or InvalidOperationException or FormatException)
            {
                // No agent, or one whose reply did not have the shape the protocol gives it: nothing to show.
                guest = null;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            if (!Equals(guest, _guest))
            {
                _guest = guest;
                changed();
            }
            try { await Task.Delay(PollInterval, time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Asks the guest to power off through its agent; false when no agent answers (the caller presses ACPI instead).</summary>
    public async Task<bool> TryShutdownAsync(CancellationToken ct)
    {
        try
        {
            await WithSessionAsync(async client =>
            {
                await client.ShutdownAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                return true;
            }, ct).ConfigureAwait(false);
            return true;
        }
        catch (GuestAgentException)
        {
            return false;
        }
    }

    /// <summary>Runs a command in the guest and waits for it, at most <paramref name="timeout"/>.</summary>
    /// <exception cref="GuestAgentException">No guest agent answers, or it could not run the command.</exception>
    public Task<GuestExecResult> ExecAsync(IReadOnlyList<string> command, byte[]? input, TimeSpan timeout, CancellationToken ct) =>
        WithSessionAsync(client => client.ExecAsync(command[0], command.Skip(1).ToArray(), input, timeout, ct), ct);

    private async Task<T> WithSessionAsync<T>(Func<GuestAgentClient, Task<T>> use, CancellationToken ct)
    {
        await _oneSession.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await using var client = await GuestAgentClient.ConnectAsync(socketPath, GuestAgentClient.DefaultSyncTimeout, time, ct).ConfigureAwait(false);
            return await use(client).ConfigureAwait(false);
        }
        finally
        {
            _oneSession.Release();
        }
    }
}
