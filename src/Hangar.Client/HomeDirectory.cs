namespace Hangar.Client;

/// <summary>
/// Where a Hangar keeps all its state (the "home"): the same rule for the <c>hangar</c> client and the server it starts,
/// so both always agree on which server a command talks to.
/// </summary>
public static class HomeDirectory
{
    /// <summary>What <c>--home</c> means, in the help of both <c>hangar</c> and <c>hangard</c>.</summary>
    public const string OptionDescription = "Where all state lives (default: $HANGAR_HOME, else /var/lib/hangar as root, else ~/.local/share/hangar).";

    /// <summary>The home named by a <c>--home</c> flag, else by <c>$HANGAR_HOME</c>, else <see cref="Default"/>; always absolute.</summary>
    public static string Resolve(string? flag)
    {
        var home = flag ?? Environment.GetEnvironmentVariable("HANGAR_HOME");
        return Path.GetFullPath(string.IsNullOrWhiteSpace(home) ? Default() : home);
    }

    /// <summary>Where state lives when neither --home nor HANGAR_HOME says: a directory that is Hangar's alone.</summary>
    public static string Default() => Path.GetFullPath(Environment.UserName == "root"
        ? "/var/lib/hangar"
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"), "hangar"));

    /// <summary>Whether <paramref name="home"/> is the default one, which Hangar may tighten as its own.</summary>
    public static bool IsDefault(string home) => home == Default();
}
