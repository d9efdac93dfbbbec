using Hangar.Processes;
using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;
using Hangar.Qemu.Internal;

namespace Hangar.Qemu;

/// <summary>
/// Starts QEMU for a <see cref="QemuVmConfig"/>: paused (<c>-S</c>) and daemonized, so it outlives the agent.
/// Attach with <see cref="QemuInstance.AttachAsync(QemuRuntimePaths, QemuProcessIdentity, CancellationToken)"/>
/// and continue it.
/// </summary>
public static partial class QemuLauncher
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Creates the runtime directory (0700), removes stale sockets and pid file, runs QEMU and waits for the
    /// foreground process, which exits once QEMU has daemonized and its QMP socket listens.
    /// </summary>
    /// <returns>The identity of the daemonized QEMU, read from the pid file.</returns>
    /// <exception cref="ArgumentException">The config is not valid (e.g. a socket path of 108 bytes or more).</exception>
    /// <exception cref="QemuLaunchException">QEMU could not start, exited with an error, or a QEMU still runs in
    /// this runtime directory.</exception>
    public static async Task<QemuProcessIdentity> LaunchAsync(QemuVmConfig config, CancellationToken cancellationToken)
    {
        var arguments = QemuCommandLine.Build(config);
        PrepareRuntimeDirectory(config);

        ProcessResult result;
        try
        {
            result = await ProcessRunner.Instance.RunAsync(config.Binary, arguments, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Win32Exception e)
        {
            throw new QemuLaunchException(config.Name, $"Could not start {config.Binary} for VM '{config.Name}'.", null, "", e);
        }

        var stderr = result.StandardError.Trim();
        if (result.ExitCode != 0)
        {
            throw new QemuLaunchException(config.Name,
                (ForwardProblem(config.Name, stderr) is { } forward ? forward + " " : "")
                + $"QEMU for VM '{config.Name}' exited with code {result.ExitCode}: {(stderr.Length > 0 ? stderr : "(no output on stderr)")}",
                result.ExitCode, stderr);
        }

        var pid = ReadPidFile(config.Paths.PidFile)
            ?? throw new QemuLaunchException(config.Name,
                $"QEMU for VM '{config.Name}' exited with code 0 but left no readable pid file at {config.Paths.PidFile}.",
                result.ExitCode, stderr);
        return QemuProcessIdentity.Read(pid)
            ?? throw new QemuLaunchException(config.Name,
                $"QEMU for VM '{config.Name}' (pid {pid}) exited right after it daemonized. See the serial log {config.Paths.SerialLog}.",
                result.ExitCode, stderr);
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
        // QEMU daemonizing, /proc and unix file modes: Linux hosts only.
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

        foreach (var stale in new[] { paths.QmpSocket, paths.ConsoleSocket, paths.PidFile })
        {
            File.Delete(stale);
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
