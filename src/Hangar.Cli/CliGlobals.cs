using System.CommandLine;

namespace Hangar.Cli;

/// <summary>Options every command takes, and how the Hangar home is found.</summary>
public static class CliGlobals
{
    public static readonly Option<string?> Home = new("--home")
    {
        Description = HomeDirectory.OptionDescription,
        Recursive = true,
    };

    public static readonly Option<string?> Server = new("--server")
    {
        Description = "Talk to the Hangar server at this address (https://HOST:8443) instead of the home's (default: $HANGAR_SERVER, else `hangar login`'s). Its token: $HANGAR_TOKEN or `hangar login`.",
        Recursive = true,
    };

    public static readonly Option<OutputFormat> Output = new("--output", "-o")
    {
        Description = "text (tables on a terminal, plain lines otherwise) or json (stable field names, for scripts).",
        DefaultValueFactory = _ => OutputFormat.Text,
        Recursive = true,
    };

    /// <summary>Who runs this command, for the record: the user behind sudo when there is one.</summary>
    public static string Author => Environment.GetEnvironmentVariable("SUDO_USER") is { Length: > 0 } sudo ? sudo : Environment.UserName;

    public static string ResolveHome(ParseResult parse) => HomeDirectory.Resolve(parse.GetValue(Home));
}

public enum OutputFormat { Text, Json }
