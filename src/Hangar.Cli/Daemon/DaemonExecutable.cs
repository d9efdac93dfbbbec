using System.Runtime.InteropServices;

namespace Hangar.Cli.Daemon;

/// <summary>
/// The Hangar daemon, <c>hangard</c>: the control plane and the agent, installed beside this <c>hangar</c> client.
/// The client stays small (compiled ahead of time, no server code) so that every command answers at once; whatever
/// runs QEMU or serves the API is the daemon's. <c>hangar server …</c> and <c>hangar agent …</c> become the daemon
/// (exec, same pid, same arguments), so a service manager sees the process it started.
/// </summary>
public static partial class DaemonExecutable
{
    /// <summary>The commands that belong to the daemon.</summary>
    public static readonly IReadOnlySet<string> Commands = new HashSet<string>(StringComparer.Ordinal) { "server", "agent" };

    /// <summary>
    /// Subcommands of <c>hangar agent</c> that are the client's (they ask the server about agents); <c>hangar agent</c>
    /// with anything else (<c>--server URL</c>, <c>--help</c>, nothing) runs an agent.
    /// </summary>
    public static readonly IReadOnlySet<string> ClientAgentCommands = new HashSet<string>(StringComparer.Ordinal)
        { "list", "ls", "show", "cordon", "uncordon", "drain", "label", "remove", "rm" };

    /// <summary>How to run the daemon: its native launcher, else <c>dotnet hangard.dll</c> (a build that has no launcher).</summary>
    public static (string Exe, IReadOnlyList<string> Prefix) Locate()
    {
        var dir = AppContext.BaseDirectory;
        var launcher = Path.Combine(dir, "hangard");
        if (File.Exists(launcher)) return (launcher, []);
        var dll = Path.Combine(dir, "hangard.dll");
        if (File.Exists(dll)) return (DotnetHost(), [dll]);
        throw new InvalidOperationException($"The Hangar daemon is not installed: neither {launcher} nor {dll} exists. Install hangar and hangard together (scripts/build.sh).");
    }

    /// <summary>
    /// The index of the daemon command in <paramref name="args"/> when the command line is one (<c>hangar server …</c>,
    /// <c>hangar --home H agent …</c>), else -1. <c>hangar agent list</c> and the other <see cref="ClientAgentCommands"/>
    /// are the client's.
    /// </summary>
    public static int FindCommand(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--home") { i++; continue; }
            if (arg.StartsWith("--home=", StringComparison.Ordinal)) continue;
            if (!Commands.Contains(arg)) return -1;
            if (arg == "agent" && i + 1 < args.Count && ClientAgentCommands.Contains(args[i + 1])) return -1;
            return i;
        }
        return -1;
    }

    /// <summary>Replaces this process with the daemon, given the same arguments. Returns only when that fails.</summary>
    public static int Exec(IReadOnlyList<string> args)
    {
        var (exe, prefix) = Locate();
        string[] argv = [exe, .. prefix, .. args];
        Console.Out.Flush();
        Console.Error.Flush();
        var pointers = new IntPtr[argv.Length + 1];
        try
        {
            for (var i = 0; i < argv.Length; i++) pointers[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
            var path = Marshal.StringToCoTaskMemUTF8(exe);
            try
            {
                execv(path, pointers);
            }
            finally
            {
                Marshal.FreeCoTaskMem(path);
            }
        }
        finally
        {
            foreach (var p in pointers) if (p != IntPtr.Zero) Marshal.FreeCoTaskMem(p);
        }
        var errno = Marshal.GetLastPInvokeError();
        Console.Error.WriteLine($"error: could not run the Hangar daemon {exe}: {Marshal.GetPInvokeErrorMessage(errno)}");
        return ExitCodes.Error;
    }

    /// <summary>The dotnet host running this client when it runs as <c>dotnet hangar.dll</c>, else the one on PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == "dotnet") return self;
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "dotnet");
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException("hangard.dll needs the dotnet host, which is not on PATH.");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int execv(IntPtr path, IntPtr[] argv);
}
