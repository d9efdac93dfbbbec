using System.Diagnostics;

namespace Hangar.Client;

/// <summary>Finds the running server of a Hangar home (its <see cref="DaemonInfo"/>) and connects a client to it.</summary>
public static class HangarConnection
{
    /// <summary>A client for the running server of <paramref name="home"/>, or null when none answers.</summary>
    public static async Task<HangarClient?> TryConnectAsync(string home, CancellationToken ct)
    {
        if (DaemonInfo.TryRead(home) is not { } info || !IsAlive(info.Pid)) return null;
        var client = new HangarClient(new Uri(info.Url), info.ApiToken, info.Fingerprint is { } pinned ? Hangar.Protocol.Tls.CertificatePin.Parse(pinned) : null);
        try
        {
            using var probe = CancellationTokenSource.CreateLinkedTokenSource(ct);
            probe.CancelAfter(TimeSpan.FromSeconds(5));
            await client.GetFleetAsync(probe.Token);
            return client;
        }
        catch (Exception e) when (e is NotRunningException or ApiException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            client.Dispose();
            return null;
        }
    }

    /// <exception cref="NotRunningException">No server answers for <paramref name="home"/>.</exception>
    public static async Task<HangarClient> ConnectAsync(string home, CancellationToken ct) =>
        await TryConnectAsync(home, ct) ?? throw new NotRunningException(home);

    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
