using Hangar.Processes;

namespace Hangar.Agent.Networking;

/// <summary>
/// The Linux bridges and taps of this host's VMs, through iproute2's <c>ip</c>. QEMU makes each tap itself
/// (<c>-netdev tap,ifname=…</c>: it lives exactly as long as that QEMU), paused; before the VM runs, the agent puts it on
/// its bridge and brings it up. A bridge the host lacks is made (up, no address, no uplink: a private switch of this
/// host's VMs); one that exists is used as it is, so an operator's bridge with an uplink gives VMs the real LAN.
/// </summary>
public sealed class HostBridges(IProcessRunner runner)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public static HostBridges Instance { get; } = new(ProcessRunner.Instance);

    /// <summary>Makes <paramref name="bridge"/> unless it exists, and brings it up.</summary>
    /// <returns>Whether it was made now.</returns>
    /// <exception cref="InvalidOperationException">A non-bridge interface has that name, or <c>ip</c> failed.</exception>
    public async Task<bool> EnsureAsync(string bridge, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var made = false;
            if (!Directory.Exists(Path.Combine("/sys/class/net", bridge)))
            {
                await RunAsync(ct, "link", "add", "name", bridge, "type", "bridge");
                made = true;
            }
            else if (!Directory.Exists(Path.Combine("/sys/class/net", bridge, "bridge")))
                throw new InvalidOperationException($"Network interface '{bridge}' exists on this host and is not a bridge; give the VM's interface another bridge name");
            await RunAsync(ct, "link", "set", "dev", bridge, "up");
            return made;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Puts the tap QEMU made on <paramref name="bridge"/> and brings it up.</summary>
    public async Task AttachAsync(string tap, string bridge, CancellationToken ct)
    {
        await RunAsync(ct, "link", "set", "dev", tap, "master", bridge);
        await RunAsync(ct, "link", "set", "dev", tap, "up");
    }

    private async Task RunAsync(CancellationToken ct, params string[] arguments)
    {
        ProcessResult result;
        try
        {
            result = await runner.RunAsync("ip", arguments, null, ct);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("Bridge interfaces need iproute2's 'ip' on the VM's host, and it could not be run (apt-get install iproute2)", e);
        }
        if (result.ExitCode != 0)
        {
            var why = result.StandardError.Trim();
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed (exit {result.ExitCode}): {why}"
                + (why.Contains("Operation not permitted", StringComparison.Ordinal) ? "; bridge interfaces need root or CAP_NET_ADMIN on the VM's host" : ""));
        }
    }
}
