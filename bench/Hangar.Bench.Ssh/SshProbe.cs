using System.Diagnostics;

namespace Hangar.Bench;

/// <summary>
/// "Boot to SSH login": polls <c>ssh -p PORT -i KEY USER@127.0.0.1 true</c> (OpenSSH, batch mode, no host-key check)
/// until one login runs the command and exits 0. The same code for every side.
/// </summary>
internal sealed class SshProbe
{
    public const string User = "bench";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan AttemptLimit = TimeSpan.FromSeconds(20);

    private SshProbe(string keyPath, string publicKey)
    {
        KeyPath = keyPath;
        PublicKey = publicKey;
    }

    public string KeyPath { get; }
    public string PublicKey { get; }

    /// <summary>Makes a fresh ed25519 key pair without a passphrase at <paramref name="keyPath"/>.</summary>
    public static async Task<SshProbe> CreateAsync(string keyPath, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(keyPath)!);
        var (code, output) = await RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "hangar-bench", "-f", keyPath], TimeSpan.FromSeconds(30), ct);
        if (code != 0) throw new InvalidOperationException($"ssh-keygen failed ({code}): {output}");
        return new SshProbe(keyPath, (await File.ReadAllTextAsync(keyPath + ".pub", ct)).Trim());
    }

    /// <summary>Polls until a login on <paramref name="port"/> runs <c>true</c>; returns the Stopwatch timestamp of that success.</summary>
    /// <param name="alive">Checked between attempts: false when the VM is gone (the wait fails at once).</param>
    public async Task<(long At, int Attempts)> WaitAsync(int port, TimeSpan timeout, Func<bool> alive, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        string last = "";
        var attempts = 0;
        while (deadline.Elapsed < timeout)
        {
            attempts++;
            var (code, output) = await RunAsync("ssh", [
                "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", KeyPath,
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5", "-o", "IdentitiesOnly=yes",
                $"{User}@127.0.0.1", "true"], AttemptLimit, ct);
            if (code == 0) return (Stopwatch.GetTimestamp(), attempts);
            last = output.Trim();
            if (!alive()) throw new InvalidOperationException($"the VM behind port {port} is gone; last ssh: {last}");
            await Task.Delay(Poll, ct);
        }
        throw new TimeoutException($"no SSH login on port {port} within {timeout.TotalSeconds:0} s ({attempts} attempts); last ssh: {last}");
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, IReadOnlyList<string> args, TimeSpan limit, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return (-1, $"{file} did not finish within {limit.TotalSeconds:0} s");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
