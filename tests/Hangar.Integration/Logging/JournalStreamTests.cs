using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Hangar.Testing;

namespace Hangar.Integration.Logging;

/// <summary>
/// The real <c>hangar server</c> with its stderr connected to a socket named by <c>JOURNAL_STREAM</c>, as systemd
/// connects a service to journald: every line it writes starts with a syslog priority and has no timestamp.
/// </summary>
public sealed partial class JournalStreamTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("hjournal-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Server_StderrIsTheJournalStream_WritesPriorityPrefixedLinesWithoutTimestamps()
    {
        var text = await RunServerAsync(journalStream: true);

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches(Prefixed(), line));
        Assert.Contains(lines, l => l.StartsWith("<5>Server: Hangar server for ", StringComparison.Ordinal) && l.Contains(" listening on "));
        Assert.Contains(lines, l => l.StartsWith("<6>FleetService: ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => Timestamp().IsMatch(l));
    }

    [Fact]
    public async Task Server_JournalStreamNamesAnotherStream_WritesPlainTimestampedLines()
    {
        var text = await RunServerAsync(journalStream: false);

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => Timestamp().IsMatch(l) && l.Contains(" NOTICE Server: Hangar server for "));
        Assert.DoesNotContain(lines, l => l.StartsWith('<'));
    }

    /// <summary>Runs <c>hangar server --no-agent</c> until it listens, stops it, and returns what it wrote to stderr.</summary>
    /// <param name="journalStream">Whether JOURNAL_STREAM names the socket stderr is (else another inode).</param>
    private async Task<string> RunServerAsync(bool journalStream)
    {
        var pair = new int[2];
        // No SOCK_CLOEXEC: the child inherits the fd, and bash (dash takes single-digit fds only) makes it its stderr
        // before exec'ing hangar.
        Assert.Equal(0, SocketPair(1 /* AF_UNIX */, 1 /* SOCK_STREAM */, 0, pair));
        var inode = Regex.Match(new FileInfo($"/proc/self/fd/{pair[0]}").LinkTarget!, @"socket:\[(\d+)\]").Groups[1].Value;
        var (fileName, prefix) = HangarCommand.Client;
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "-c", $"exec \"$0\" \"$@\" 2>&{pair[0]} {pair[0]}>&- {pair[1]}>&-", fileName }.Concat(prefix).Concat(["server", "--no-agent", "--home", _home]))
            psi.ArgumentList.Add(arg);
        foreach (var (key, value) in HangarCommand.Environment(_home)) psi.Environment[key] = value;
        psi.Environment["JOURNAL_STREAM"] = journalStream ? $"8:{inode}" : "8:1";
        using var process = Process.Start(psi)!;
        Close(pair[0]);
        using var socket = new Socket(new SafeSocketHandle(pair[1], ownsHandle: true));
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var text = new StringBuilder();
        var buffer = new byte[8192];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (!text.ToString().Contains(" listening on ", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0) break;
                text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        finally
        {
            Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
        }
        // After SIGTERM: the stop line, then the end of the stream when the server exits.
        int more;
        while ((more = await stream.ReadAsync(buffer, timeout.Token)) > 0) text.Append(Encoding.UTF8.GetString(buffer, 0, more));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"hangar server exited {process.ExitCode}: {await process.StandardOutput.ReadToEndAsync()}\n{text}");
        return text.ToString();
    }

    [DllImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    private static extern int SocketPair(int domain, int type, int protocol, [Out] int[] fds);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    [GeneratedRegex(@"^<[0-7]>[A-Za-z]+: ")]
    private static partial Regex Prefixed();

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")]
    private static partial Regex Timestamp();
}
