using System.CommandLine;
using Hangar.Agent;
using Hangar.State;

namespace Hangar.Server;

/// <summary>Options both daemon commands take, with the same names and meaning as the <c>hangar</c> client's.</summary>
public static class DaemonGlobals
{
    public static readonly Option<string?> Home = new("--home")
    {
        Description = HomeDirectory.OptionDescription,
        Recursive = true,
    };

    public static readonly Option<string?> Accel = new("--accel")
    {
        Description = "Accelerator for the VMs: kvm, tcg or auto (default: $HANGAR_ACCEL, else auto).",
    };

    /// <summary>Exit codes, the same numbers as the client's (docs/cli.md).</summary>
    public const int Ok = 0, Error = 1;

    /// <summary>Runs a daemon command; a failure it can explain (a port taken, a file unreadable, a bad flag) is one line, exit 1.</summary>
    public static async Task<int> GuardAsync(Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return Error;
        }
        catch (StateStoreException e)
        {
            // "Could not open the state database postgres:Host=…" and why (the server's or the driver's own words).
            var why = e.InnerException is { } inner ? " " + inner.Message.ReplaceLineEndings(" ") : "";
            await Console.Error.WriteLineAsync($"error: {e.Message}{why}");
            return Error;
        }
    }

    public static string ResolveHome(ParseResult parse) => HomeDirectory.Resolve(parse.GetValue(Home));

    /// <summary>--accel, else HANGAR_ACCEL, else auto. An unknown value is an error naming the valid ones.</summary>
    public static AcceleratorSetting AccelFrom(string? flag)
    {
        var text = flag ?? Environment.GetEnvironmentVariable("HANGAR_ACCEL") ?? "auto";
        return text.ToLowerInvariant() switch
        {
            "auto" or "" => AcceleratorSetting.Auto,
            "kvm" => AcceleratorSetting.Kvm,
            "tcg" => AcceleratorSetting.Tcg,
            _ => throw new InvalidOperationException($"Accelerator '{text}' is not valid; use kvm, tcg or auto."),
        };
    }
}
