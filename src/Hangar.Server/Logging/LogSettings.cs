using Microsoft.Extensions.Logging;

namespace Hangar.Server.Logging;

/// <summary>How much the daemon logs (<c>--log-level</c>) and in which shape (<c>--log-format</c>); the one place of their defaults.</summary>
public sealed record LogSettings(DaemonLogLevel Level, LogFormat Format)
{
    public static readonly LogSettings Default = new(DaemonLogLevel.Info, LogFormat.Text);

    /// <summary>The accepted values of <c>--log-format</c>.</summary>
    public static readonly IReadOnlyList<string> FormatNames = ["text", "json"];

    /// <param name="source">Where the value came from, for the message.</param>
    public static LogFormat ParseFormat(string text, string source = "--log-format") => text.Trim().ToLowerInvariant() switch
    {
        "text" => LogFormat.Text,
        "json" => LogFormat.Json,
        _ => throw new InvalidOperationException($"{source}: '{text}' is not a log format; use text or json."),
    };

    /// <summary>Both values, each given (flag or variable) or the default; an error names the source of a bad one.</summary>
    public static LogSettings Parse(string? level, string? format, string levelSource = "--log-level", string formatSource = "--log-format") =>
        new(level is null ? Default.Level : DaemonLogLevels.Parse(level, levelSource),
            format is null ? Default.Format : ParseFormat(format, formatSource));

    /// <summary>Makes <paramref name="provider"/> the builder's only output. ASP.NET Core's own categories log from warning
    /// up whatever the level (a request line per request is not the daemon's story), unless the level is trace.</summary>
    public static void Configure(ILoggingBuilder builder, ILoggerProvider provider, DaemonLogLevel level)
    {
        builder.ClearProviders();
        builder.AddProvider(provider);
        builder.SetMinimumLevel(DaemonLogLevels.Minimum(level));
        if (level != DaemonLogLevel.Trace) builder.AddFilter("Microsoft", LogLevel.Warning);
    }
}
