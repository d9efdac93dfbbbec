using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Hangar.Cli.Daemon;
using Hangar.Cli.Output;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar ssh NAME [-- COMMAND…]</c>: runs the system's <c>ssh</c> (it replaces this process, so the session has the
/// terminal and ssh's exit code is the command's) with the VM's SSH port on 127.0.0.1, the first user of its
/// <c>guest</c>, and the host key under the alias <c>hangar-NAME</c>: the VM's own (its <c>identity</c>), pinned, when
/// it has one; else the key it shows first, kept in the home.
/// </summary>
public static partial class SshCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The VM." };
        var remote = new Argument<string[]>("command") { Description = "A command to run instead of a login shell (after --).", Arity = ArgumentArity.ZeroOrMore };
        var user = new Option<string?>("--user", "-l") { Description = "Log in as this user instead of the guest's first user." };
        var identity = new Option<string?>("--identity", "-i") { Description = "The private key to use (ssh -i), such as ~/.ssh/id_ed25519." };
        var print = new Option<bool>("--print") { Description = "Print the ssh command line instead of running it." };
        var command = new Command("ssh", "Open an SSH session to a VM's guest (or run a command in it) through its forwarded port.")
            { name, remote, user, identity, print };
        CommandContext.Bind(command, async (context, ct) =>
        {
            var vm = context.Get(name);
            using var client = await context.ConnectAsync(ct);
            var status = (await client.GetFleetAsync(ct)).Vms.FirstOrDefault(v => v.Name == vm && !v.Removed);
            if (status is null)
            {
                Terminal.Error($"There is no VM {vm} in the fleet (see hangar vm list).");
                return ExitCodes.Error;
            }
            if (status.Ssh is not { } ssh)
            {
                Terminal.Error($"VM {vm} has no SSH port: its image ({status.Image}) has no cloud-init guest and it forwards no host port to guest port 22.");
                return ExitCodes.Error;
            }
            var login = context.Get(user) ?? ssh.User;
            if (login is null)
            {
                Terminal.Error($"VM {vm} has no guest user to log in as: add one under guest.users in the fleet file, or give --user.");
                return ExitCodes.Error;
            }
            var knownHosts = Path.Combine(context.Home, "ssh", "known_hosts");
            Directory.CreateDirectory(Path.GetDirectoryName(knownHosts)!);
            if (status.HostKey is { } hostKey)
            {
                // The key Hangar made for the VM is the only one accepted: written afresh from the server each time.
                knownHosts = Path.Combine(context.Home, "ssh", $"{vm}.known_hosts");
                await File.WriteAllTextAsync(knownHosts, KnownHostsLine(vm, hostKey) + "\n", ct);
            }
            var argv = Arguments(vm, ssh.Port, login, context.Get(identity), knownHosts, context.Get(remote) ?? [], pinned: status.HostKey is not null);
            if (context.Get(print))
            {
                Console.Out.WriteLine(string.Join(' ', argv.Select(Quote)));
                return ExitCodes.Ok;
            }
            return Exec(argv);
        });
        return command;
    }

    /// <summary>The known_hosts line of a VM's own host key, under the alias <c>hangar ssh</c> uses.</summary>
    public static string KnownHostsLine(string vm, string hostKey) => $"hangar-{vm} {hostKey}";

    /// <summary>
    /// The ssh command line: <c>ssh -p PORT -o HostKeyAlias=hangar-NAME -o UserKnownHostsFile=… -o
    /// StrictHostKeyChecking=accept-new|yes [-i KEY -o IdentitiesOnly=yes] USER@127.0.0.1 [--] [COMMAND…]</c>. The alias keeps
    /// each VM's host key apart although all of them are 127.0.0.1. With <paramref name="pinned"/> the file holds the
    /// VM's own key and nothing else is accepted; otherwise a key is taken on first use and a changed one refused.
    /// </summary>
    public static IReadOnlyList<string> Arguments(string vm, int port, string user, string? identity, string knownHosts, IReadOnlyList<string> command,
        bool pinned = false)
    {
        var args = new List<string>
        {
            "ssh", "-p", port.ToString(CultureInfo.InvariantCulture),
            "-o", $"HostKeyAlias=hangar-{vm}",
            "-o", $"UserKnownHostsFile={knownHosts}",
            "-o", pinned ? "StrictHostKeyChecking=yes" : "StrictHostKeyChecking=accept-new",
        };
        // Only the pinned key's type is asked for: sshd offers no other, and an old key of another type cannot slip in.
        if (pinned) args.AddRange(["-o", "HostKeyAlgorithms=ssh-ed25519"]);
        if (identity is not null) args.AddRange(["-i", identity, "-o", "IdentitiesOnly=yes"]);
        args.Add($"{user}@127.0.0.1");
        if (command.Count > 0) args.AddRange(["--", .. command]);
        return args;
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=@:+,".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Replaces this process with ssh (found on PATH). Returns only when that fails.</summary>
    private static int Exec(IReadOnlyList<string> argv)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        var pointers = new IntPtr[argv.Count + 1];
        try
        {
            for (var i = 0; i < argv.Count; i++) pointers[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
            execvp(pointers[0], pointers);
        }
        finally
        {
            foreach (var p in pointers) if (p != IntPtr.Zero) Marshal.FreeCoTaskMem(p);
        }
        var errno = Marshal.GetLastPInvokeError();
        Terminal.Error($"Could not run ssh: {Marshal.GetPInvokeErrorMessage(errno)} (install OpenSSH's client, Debian package openssh-client).");
        return ExitCodes.Error;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int execvp(IntPtr file, IntPtr[] argv);
}
