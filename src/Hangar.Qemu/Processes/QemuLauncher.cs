using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Hangar.Qemu.Internal;

namespace Hangar.Qemu;

/// <summary>
/// Starts QEMU for a <see cref="QemuVmConfig"/>: paused (<c>-S</c>), under its <see cref="QemuConfinement"/>, in a
/// session of its own with its output in a file, so it outlives the agent. Attach with
/// <see cref="QemuInstance.AttachAsync(QemuRuntimePaths, QemuProcessIdentity, CancellationToken)"/> and continue it.
/// </summary>
/// <remarks>
/// QEMU cannot daemonize under <c>-sandbox spawn=deny</c> (see <see cref="QemuConfinement"/>), so the launcher does
/// what <c>-daemonize</c> did: <c>/bin/sh</c> points stdin at /dev/null and stdout and stderr at
/// <see cref="OutputFileName"/> in the runtime directory (nothing of QEMU's is tied to the agent's pipes or terminal),
/// then execs <c>setsid</c>, which execs QEMU in a new session: the pid started is QEMU's. Start-up is over when QEMU
/// answers <c>query-status</c> on QMP, which it does only from its main loop, after it has opened everything it was
/// given (fw_cfg files included) and changed its user; an exit before that is the launch's error, with what QEMU printed.
/// </remarks>
public static partial class QemuLauncher
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The file in the runtime directory that receives QEMU's stdout and stderr, from its latest start.</summary>
    public const string OutputFileName = "qemu.out";

    /// <summary>How long QEMU may take from exec to its first QMP answer (slow under TCG on a loaded host).</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Creates the runtime directory (0700), removes stale sockets and pid file, runs QEMU and waits until it answers
    /// on its QMP socket, or exits.
    /// </summary>
    /// <returns>The identity of the started QEMU.</returns>
    /// <exception cref="ArgumentException">The config is not valid (e.g. a socket path of 108 bytes or more).</exception>
    /// <exception cref="QemuLaunchException">QEMU could not start, exited with an error, did not answer in time, or a
    /// QEMU still runs in this runtime directory.</exception>
    public static async Task<QemuProcessIdentity> LaunchAsync(QemuVmConfig config, CancellationToken cancellationToken)
    {
        var arguments = QemuCommandLine.Build(config);
        PrepareRuntimeDirectory(config);
        var output = Path.Combine(config.Paths.Directory, OutputFileName);

        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec </dev/null >\"$0\" 2>&1; exec setsid \"$@\"");
        start.ArgumentList.Add(output);
        start.ArgumentList.Add(config.Binary);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("Process.Start returned no process.");
        }
        catch (Win32Exception e)
        {
            throw new QemuLaunchException(config.Name, $"Could not start {config.Binary} for VM '{config.Name}'.", null, "", e);
        }
        using (process)
        {
            try
            {
                await WaitUntilAnsweringAsync(config, process, output, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                if (!process.HasExited) process.Kill();
                throw;
            }
            return QemuProcessIdentity.Read(process.Id)
                ?? throw new QemuLaunchException(config.Name,
                    $"QEMU for VM '{config.Name}' (pid {process.Id}) exited right after it started. See {output} and the serial log {config.Paths.SerialLog}.",
                    null, ReadOutput(output));
        }
    }

    private static async Task WaitUntilAnsweringAsync(QemuVmConfig config, Process process, string output, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw Exited(config, process.ExitCode, ReadOutput(output));
            if (File.Exists(config.Paths.QmpSocket))
            {
                try
                {
                    await using var qmp = await QmpClient.ConnectAsync(config.Paths.QmpSocket, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                    await qmp.QueryStatusAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (e is QmpException or IOException or System.Net.Sockets.SocketException && !cancellationToken.IsCancellationRequested)
                {
                    // Not listening yet, or QEMU went away while it started: the next round tells which.
                }
            }
            if (waited.Elapsed > StartTimeout)
            {
                var said = ReadOutput(output);
                throw new QemuLaunchException(config.Name,
                    $"QEMU for VM '{config.Name}' (pid {process.Id}) did not answer on its QMP socket {config.Paths.QmpSocket} within {StartTimeout.TotalSeconds:0} s of its start; it was killed. Its output: {(said.Length > 0 ? said : "(none)")}",
                    null, said);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        }
    }

    private static QemuLaunchException Exited(QemuVmConfig config, int exitCode, string stderr) =>
        new(config.Name,
            (ForwardProblem(config.Name, stderr) is { } forward ? forward + " " : "")
            + $"QEMU for VM '{config.Name}' exited with code {exitCode}: {(stderr.Length > 0 ? stderr : "(no output on stderr)")}"
            + (exitCode == 128 + 31 ? $" (signal 31, SIGSYS: a system call its -sandbox {config.Confinement.SandboxOptions} refuses)" : ""),
            exitCode, stderr);

    /// <summary>What QEMU printed since its start, trimmed; at most the last 8 KiB.</summary>
    private static string ReadOutput(string output)
    {
        try
        {
            using var file = new FileStream(output, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            const int Tail = 8192;
            if (file.Length > Tail) file.Seek(-Tail, SeekOrigin.End);
            using var reader = new StreamReader(file);
            return reader.ReadToEnd().Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return "";
        }
    }

    /// <summary>
    /// QEMU says only that it "could not set up host forwarding rule 'tcp:127.0.0.1:8080-:80'"; the usual cause is a
    /// port that another program holds on this host, so the error names the port and, when it can, the program.
    /// </summary>
    internal static string? ForwardProblem(string vmName, string stderr)
    {
        var match = ForwardRule().Match(stderr);
        if (!match.Success || !int.TryParse(match.Groups["port"].Value, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return null;
        var protocol = match.Groups["protocol"].Value;
        var address = match.Groups["address"].Value is { Length: > 0 } a ? a : "0.0.0.0";
        var holder = Networking.PortHolders.Describe(protocol, port);
        return holder is null
            ? $"VM '{vmName}' could not forward host port {port}/{protocol} on {address} of this host (the port may be privileged or was busy a moment ago); change the forward's host port or free it."
            : $"VM '{vmName}' cannot forward host port {port}/{protocol} on {address}: on this host it is {holder}. Free the port or change the forward's host port.";
    }

    [GeneratedRegex(@"host forwarding rule '(?<protocol>tcp|udp):(?<address>[^:']*):(?<port>\d+)-")]
    private static partial Regex ForwardRule();

    private static void PrepareRuntimeDirectory(QemuVmConfig config)
    {
        // /bin/sh, setsid, /proc and unix file modes: Linux hosts only.
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("Hangar runs QEMU on Linux hosts only.");
        var paths = config.Paths;
        Directory.CreateDirectory(paths.Directory, OwnerOnly);
        // CreateDirectory leaves an existing directory's mode alone.
        File.SetUnixFileMode(paths.Directory, OwnerOnly);
        var logDirectory = Path.GetDirectoryName(Path.GetFullPath(paths.SerialLog));
        if (logDirectory is not null) Directory.CreateDirectory(logDirectory, OwnerOnly);

        // Deleting the sockets of a live QEMU would orphan it: nobody could reach its QMP again.
        if (ReadPidFile(paths.PidFile) is { } oldPid
            && QemuProcessIdentity.Read(oldPid) is not null
            && CommandLineMentions(oldPid, paths.QmpSocket))
        {
            throw new QemuLaunchException(config.Name,
                $"A QEMU (pid {oldPid}) still runs in the runtime directory {paths.Directory} of VM '{config.Name}'; adopt or stop it first.",
                null, "");
        }

        foreach (var stale in new[] { paths.QmpSocket, paths.ConsoleSocket, paths.PidFile, paths.GuestAgentSocket })
        {
            if (stale is not null) File.Delete(stale);
        }
    }

    /// <summary>
    /// The live QEMU that the pid file in <paramref name="paths"/> names and whose command line uses this QMP socket,
    /// if any: for example one whose launcher was killed before it could record it.
    /// </summary>
    public static QemuProcessIdentity? FindRunning(QemuRuntimePaths paths) =>
        ReadPidFile(paths.PidFile) is { } pid && QemuProcessIdentity.Read(pid) is { } identity && CommandLineMentions(pid, paths.QmpSocket)
            ? identity
            : null;

    internal static int? ReadPidFile(string pidFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                ? pid
                : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static bool CommandLineMentions(int pid, string text)
    {
        try
        {
            var arguments = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline").Split('\0');
            return arguments.Any(a => a.Contains(QemuCommandLine.Escape(text), StringComparison.Ordinal));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }
}
