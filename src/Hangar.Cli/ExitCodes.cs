namespace Hangar.Cli;

/// <summary>The exit codes of <c>hangar</c>, documented in docs/cli.md. Scripts rely on them: never renumber.</summary>
public static class ExitCodes
{
    /// <summary>Done as asked.</summary>
    public const int Ok = 0;
    /// <summary>Failed: the message says why (control plane error, I/O, QEMU).</summary>
    public const int Error = 1;
    /// <summary>The fleet file is invalid; nothing was applied. (A malformed command line exits 1.)</summary>
    public const int Invalid = 2;
    /// <summary>No Hangar is running for this home (start one with <c>hangar up</c>).</summary>
    public const int NotRunning = 3;
    /// <summary>Applied, but a VM did not become healthy within the timeout, or failed.</summary>
    public const int Unhealthy = 4;
    /// <summary>The named VM does not exist.</summary>
    public const int NotFound = 5;
}
