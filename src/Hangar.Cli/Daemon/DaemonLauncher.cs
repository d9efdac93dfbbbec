using System.Diagnostics;

namespace Hangar.Cli.Daemon;

/// <summary>
/// Finds the server of a home, or starts one (<c>hangard server</c>) in the background (its own session, so it outlives the
/// command that started it; its log goes to <c>$HANGAR_HOME/hangar.log</c>).
/// </summary>
public static class DaemonLauncher
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Connects to the server of <paramref name="home"/>, starting it first when none runs.</summary>
    public static async Task<HangarClient> EnsureAsync(string home, IReadOnlyList<string> serverArgs, Action<string>? progress, CancellationToken ct)
    {
        if (await HangarConnection.TryConnectAsync(home, ct) is { } running) return running;
        if (PrivateFiles.CreateHome(home, HomeDirectory.IsDefault(home)) is { } warning) await Console.Error.WriteLineAsync($"warning: {warning}");
        // Two commands starting a server at once: the second waits for the first's server instead of starting its own.
        await using var startLock = await AcquireStartLockAsync(home, ct);
        if (await HangarConnection.TryConnectAsync(home, ct) is { } started) return started;

        progress?.Invoke("starting the Hangar server");
        var previous = DaemonInfo.TryRead(home);
        var (exe, prefix) = DaemonExecutable.Locate();
        var psi = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("--fork");
        psi.ArgumentList.Add(exe);
        foreach (var arg in prefix) psi.ArgumentList.Add(arg);
        psi.ArgumentList.Add("server");
        psi.ArgumentList.Add("--home");
        psi.ArgumentList.Add(home);
        psi.ArgumentList.Add("--detached");
        foreach (var arg in serverArgs) psi.ArgumentList.Add(arg);
        using (var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start setsid."))
        {
            await process.WaitForExitAsync(ct);
        }

        var deadline = DateTime.UtcNow + StartTimeout;
        // The detached server has no channel back to us; it writes daemon.json atomically once it listens, so a
        // short wait on that file is the simplest reliable handshake.
        while (DateTime.UtcNow < deadline)
        {
            if (DaemonInfo.TryRead(home) is { } info && info != previous && await HangarConnection.TryConnectAsync(home, ct) is { } client)
                return client;
            await Task.Delay(50, ct);
        }
        var log = Path.Combine(home, "hangar.log");
        var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(15)) : "(no log)";
        throw new InvalidOperationException($"The Hangar server did not start within {StartTimeout.TotalSeconds:0}s. Last lines of {log}:\n{tail}");
    }

    private static async Task<FileStream> AcquireStartLockAsync(string home, CancellationToken ct)
    {
        var path = Path.Combine(home, "start.lock");
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Held by another starting command; it finishes within StartTimeout.
                await Task.Delay(50, ct);
            }
        }
    }
}
