using Hangar.Processes;
using Hangar.Qemu;

namespace Hangar.Agent.Shares;

/// <summary>
/// Serves a VM's shares: one virtiofsd per share, started before its QEMU, listening on the share's vhost-user socket in
/// the VM's runtime directory. QEMU's virtiofsd listens, takes the one connection of the QEMU started next, then
/// daemonizes (so it outlives the agent, like QEMU), serves that QEMU and exits when it goes; nothing stops it by hand. A read-only share is served from
/// a read-only bind mount in a mount namespace of virtiofsd's own: the guest cannot write through it, whatever it mounts.
/// </summary>
public sealed class VirtiofsDaemons(IProcessRunner runner)
{
    /// <summary>Where Debian's qemu-system-common puts virtiofsd (QEMU's C one, which takes <c>-o source=</c>).</summary>
    public const string DefaultBinary = "/usr/lib/qemu/virtiofsd";

    public static VirtiofsDaemons Instance { get; } = new(ProcessRunner.Instance);

    /// <summary>virtiofsd's path; <c>HANGAR_VIRTIOFSD</c> overrides it.</summary>
    public static string Binary => Environment.GetEnvironmentVariable("HANGAR_VIRTIOFSD") is { Length: > 0 } path ? path : DefaultBinary;

    /// <summary>How long a virtiofsd may take to listen on its socket, and to daemonize once QEMU has connected.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Starts a virtiofsd for each share of <paramref name="vm"/>, after ending one left over on its socket (a start that
    /// failed after it), and returns once every one listens. QEMU's virtiofsd waits for its one connection before it
    /// daemonizes: call <see cref="Serving.WhenDaemonizedAsync"/> once QEMU has started.
    /// </summary>
    /// <exception cref="InvalidOperationException">A source is not a directory, virtiofsd is missing, or it failed; the message says which share.</exception>
    public async Task<Serving> StartAsync(string vm, IReadOnlyList<QemuShare> shares, CancellationToken ct)
    {
        if (shares.Count == 0) return new Serving(vm, []);
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"VM '{vm}' has shares, and this host has no virtiofsd at {Binary} (apt-get install qemu-system-common), or remove 'shares'");
        if (!Environment.IsPrivilegedProcess)
            throw new InvalidOperationException($"VM '{vm}' has shares, and virtiofsd needs root on the VM's host (it sandboxes itself in namespaces); run the agent as root, or remove 'shares'");
        var started = new List<(QemuShare, Task<ProcessResult>)>();
        try
        {
            foreach (var share in shares)
            {
                var source = share.Source ?? throw new ArgumentException($"Share '{share.Tag}' has no source directory", nameof(shares));
                if (!Directory.Exists(source))
                    throw new InvalidOperationException($"Share '{share.Tag}' of VM '{vm}': {source} is not a directory on this host; make it, or change the share's source");
                StopLeftOver(share.Socket);
                // The VM's runtime directory, as QEMU's launcher makes it (owner only); QEMU starts after this.
                var directory = Path.GetDirectoryName(share.Socket)!;
                Directory.CreateDirectory(directory, OwnerOnly);
                File.SetUnixFileMode(directory, OwnerOnly);
                File.Delete(share.Socket);
                var (program, arguments) = CommandFor(share);
                // Not cancelled with the start: the process outlives this call (it serves QEMU); Stop ends it.
                var run = runner.RunAsync(program, arguments, null, CancellationToken.None);
                started.Add((share, run));
                await WaitListeningAsync(vm, share, run, ct);
            }
            return new Serving(vm, started);
        }
        catch
        {
            Stop(shares);
            throw;
        }
    }

    private static async Task WaitListeningAsync(string vm, QemuShare share, Task<ProcessResult> run, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!File.Exists(share.Socket))
        {
            if (run.IsCompleted)
            {
                var result = await run;
                throw new InvalidOperationException($"virtiofsd for share '{share.Tag}' of VM '{vm}' ({share.Source}) failed (exit {result.ExitCode}): {Last(result.StandardError)}");
            }
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"virtiofsd for share '{share.Tag}' of VM '{vm}' ({share.Source}) did not listen on {share.Socket} within {StartTimeout.TotalSeconds:0}s");
            await Task.Delay(20, ct);
        }
    }

    /// <summary>The virtiofsds started for one VM, until each has daemonized.</summary>
    public sealed class Serving(string vm, IReadOnlyList<(QemuShare Share, Task<ProcessResult> Run)> runs)
    {
        /// <summary>Waits until every virtiofsd has taken QEMU's connection and gone to the background (its first process
        /// exits 0); throws with its last words when one failed instead.</summary>
        public async Task WhenDaemonizedAsync(CancellationToken ct)
        {
            foreach (var (share, run) in runs)
            {
                var result = await run.WaitAsync(StartTimeout, ct);
                if (result.ExitCode != 0)
                    throw new InvalidOperationException($"virtiofsd for share '{share.Tag}' of VM '{vm}' ({share.Source}) failed once QEMU connected (exit {result.ExitCode}): {Last(result.StandardError)}");
            }
        }
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Ends every virtiofsd still serving one of <paramref name="shares"/> (after QEMU failed to start).</summary>
    public static void Stop(IReadOnlyList<QemuShare> shares)
    {
        foreach (var share in shares) StopLeftOver(share.Socket);
    }

    /// <summary>The program and arguments that serve <paramref name="share"/>: virtiofsd itself, or for a read-only
    /// share util-linux's <c>unshare</c> making a private mount namespace where the source is bound read-only first.</summary>
    public static (string Program, IReadOnlyList<string> Arguments) CommandFor(QemuShare share)
    {
        string[] virtiofsd = [Binary, $"--socket-path={share.Socket}", "-o", $"source={share.Source}", "-o", "cache=auto", "--daemonize"];
        if (!share.ReadOnly) return (virtiofsd[0], virtiofsd[1..]);
        // sh's $0 is the source; mount(8) turns "--bind -o ro" into a bind and a read-only remount of it.
        return ("unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", "mount --bind -o ro \"$0\" \"$0\" && exec \"$@\"", share.Source!, .. virtiofsd]);
    }

    private static void StopLeftOver(string socket)
    {
        var marker = $"--socket-path={socket}";
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string[] argv;
            try { argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0'); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (!argv.Contains(marker, StringComparer.Ordinal) || !Path.GetFileName(argv[0]).StartsWith("virtiofsd", StringComparison.Ordinal)) continue;
            try { System.Diagnostics.Process.GetProcessById(pid).Kill(); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
        }
    }

    private static string Last(string text) => text.Trim() is { Length: > 0 } t ? t.Split('\n')[^1].Trim() : "it printed nothing";
}
