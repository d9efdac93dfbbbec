using System.CommandLine;
using Hangar.Agent;
using Hangar.Server.Logging;
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

    public const string LogLevelDescription =
        "The least level logged: trace, debug, info, notice (the fleet's events, the server's start and stop), warning, error or critical (default: $HANGAR_LOG_LEVEL, else info).";

    public const string LogFormatDescription =
        "How log lines are written: text (under systemd with journald's <N> priorities, no timestamps) or json, one object per line (default: $HANGAR_LOG_FORMAT, else text).";

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

    /// <summary>The agent's --log-level and --log-format, else HANGAR_LOG_LEVEL and HANGAR_LOG_FORMAT, else the defaults.</summary>
    public static LogSettings LogFrom(string? level, string? format)
    {
        static (string? Text, string Source) Pick(string? flag, string name, string variable) =>
            flag is not null ? (flag, name) : (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } env ? env : null, variable);
        var (levelText, levelSource) = Pick(level, "--log-level", "HANGAR_LOG_LEVEL");
        var (formatText, formatSource) = Pick(format, "--log-format", "HANGAR_LOG_FORMAT");
        return LogSettings.Parse(levelText, formatText, levelSource, formatSource);
    }

    /// <summary>--runtime-dir, else HANGAR_RUNTIME_DIR; null for the agent's own choice (<see cref="AgentOptions.ForHome"/>).</summary>
    public static string? RuntimeRootFrom(string? flag)
    {
        var text = flag ?? (Environment.GetEnvironmentVariable("HANGAR_RUNTIME_DIR") is { Length: > 0 } env ? env : null);
        if (text is null) return null;
        if (!Path.IsPathFullyQualified(text))
            throw new InvalidOperationException($"{(flag is null ? "HANGAR_RUNTIME_DIR" : "--runtime-dir")}: '{text}' is not an absolute path; give one such as /run/hangar.");
        return text;
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
